-- Conditional STORE (RFC 7162 3.1.3) made atomic across sessions and proxy instances, without giving a mod-sequence
-- to a STORE that then changes nothing ("SHOULD NOT change the mod-sequence", 3.1; native servers do not). For every
-- stored uid in the given ranges: a mod-sequence above UNCHANGEDSINCE, or a hold of another conditional STORE still in
-- flight (on any instance), makes it modified; otherwise this STORE holds it, before the proxy sends the STORE to the
-- backend. A racing conditional STORE then fails for it with [MODIFIED] until release.lua ends the hold, and after
-- that it meets the mod-sequence the backend's answer gave the message, if the STORE changed it. A hold of a proxy that
-- died expires after ARGV[7] ms (Redis's own clock), so a crash costs racing STOREs [MODIFIED] answers, never a change.
-- ARGV[4] now, ARGV[5] UNCHANGEDSINCE, ARGV[6] holder (unique per reservation), ARGV[7] hold in ms, then pairs
-- (lo, hi) of uid ranges. Holds live in the hash <ARGV[1]>h: uid -> "<expiry ms> <holder>".
-- Returns {modified uid-set, held uid-set, hms before}.
local now, since, holder, hold = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local hms = ensure(now)
touch()
local base = tonumber(redis.call('HGET', META, 'base'))
local HOLDS = PREFIX .. 'h'
local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mark = int(clock + hold) .. ' ' .. holder
local modified, held = {}, {}
local i = 8
while i + 1 <= #ARGV do
  local lo, hi = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  i = i + 2
  each_bucket(lo, hi, function(b, key)
    local h = redis.call('HGETALL', key)
    local passing = {}
    for k = 1, #h, 2 do
      local uid = b * 128 + tonumber(h[k])
      if uid >= lo and uid <= hi then
        if base + packed_delta(h[k + 1]) > since then
          modified[#modified + 1] = uid
        else
          passing[#passing + 1] = int(uid)
        end
      end
    end
    if #passing == 0 then return end
    local others = redis.call('HMGET', HOLDS, unpack(passing))
    local sets = {}
    for k = 1, #passing do
      local o = others[k]
      local sp = o and string.find(o, ' ', 1, true)
      if sp and tonumber(string.sub(o, 1, sp - 1)) > clock and string.sub(o, sp + 1) ~= holder then
        modified[#modified + 1] = tonumber(passing[k])
      else
        held[#held + 1] = tonumber(passing[k])
        sets[#sets + 1] = passing[k]
        sets[#sets + 1] = mark
      end
    end
    if #sets > 0 then redis.call('HSET', HOLDS, unpack(sets)) end
  end)
end
if #held > 0 and redis.call('PTTL', HOLDS) < hold then redis.call('PEXPIRE', HOLDS, hold) end
return {to_set(modified), to_set(held), hms}
