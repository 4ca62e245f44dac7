-- Conditional STORE (RFC 7162 3.1.3) made atomic across sessions and proxy instances: checks UNCHANGEDSINCE for
-- every stored uid in the given ranges and, in the same step, gives the ones that pass one new mod-sequence (their
-- flags untouched) BEFORE the proxy sends the STORE to the backend. A racing conditional STORE, on any instance,
-- then finds them above its UNCHANGEDSINCE and fails for them with [MODIFIED]: at most one wins per message.
-- If the backend then refuses the STORE, the message only got a mod-sequence too many (clients re-fetch its flags).
-- ARGV[4] now, ARGV[5] UNCHANGEDSINCE, then pairs (lo, hi) of uid ranges.
-- Returns {modseq given or 0, modified uid-set, stamped uid-set, hms before}.
local now, since = tonumber(ARGV[4]), tonumber(ARGV[5])
local hms = ensure(now)
touch()
local base = tonumber(redis.call('HGET', META, 'base'))
local ms = hms + 1
local modified, stamped = {}, {}
local i = 6
while i + 1 <= #ARGV do
  local lo, hi = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  i = i + 2
  each_bucket(lo, hi, function(b, key)
    local h = redis.call('HGETALL', key)
    local sets = {}
    for k = 1, #h, 2 do
      local uid = b * 128 + tonumber(h[k])
      if uid >= lo and uid <= hi then
        if base + packed_delta(h[k + 1]) > since then
          modified[#modified + 1] = uid
        else
          stamped[#stamped + 1] = uid
          sets[#sets + 1] = h[k]
          sets[#sets + 1] = pack(ms - base, packed_fid(h[k + 1]))
        end
      end
    end
    if #sets > 0 then redis.call('HSET', key, unpack(sets)) end
  end)
end
if #stamped > 0 then
  redis.call('HSET', META, 'hms', int(ms))
else
  ms = 0
end
return {ms, to_set(modified), to_set(stamped), hms}
