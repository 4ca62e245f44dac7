-- Ends the holds of one conditional STORE (reserve.lua). ARGV[4] holder, ARGV[5] "stamp" or "free", then pairs
-- (lo, hi) of the uids it held. "free": the backend answered, and what the STORE changed already has its new
-- mod-sequence (apply.lua, from the backend's FETCH responses). "stamp": the outcome is unknown (the backend
-- failed or did not answer), so the held messages still stored get one new mod-sequence, flags unchanged, as if the
-- STORE changed them: a racing conditional STORE must fail for a message this one may have changed (RFC 7162 3.1.3).
-- Returns the mod-sequence given, or 0.
local holder, stamp = ARGV[4], ARGV[5] == 'stamp'
local HOLDS = PREFIX .. 'h'
local mine = {}
local i = 6
while i + 1 <= #ARGV do
  for uid = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do mine[#mine + 1] = int(uid) end
  i = i + 2
end
if #mine == 0 then return 0 end
local drop = {}
for k = 1, #mine, 4096 do
  local part = {unpack(mine, k, math.min(k + 4095, #mine))}
  local marks = redis.call('HMGET', HOLDS, unpack(part))
  for j = 1, #part do
    local m = marks[j]
    local sp = m and string.find(m, ' ', 1, true)
    if sp and string.sub(m, sp + 1) == holder then drop[#drop + 1] = part[j] end
  end
end
for k = 1, #drop, 4096 do redis.call('HDEL', HOLDS, unpack(drop, k, math.min(k + 4095, #drop))) end
if not stamp or stored_uv() ~= UV then return 0 end
local hms = tonumber(redis.call('HGET', META, 'hms'))
local base = tonumber(redis.call('HGET', META, 'base'))
local ms = hms + 1
local any = false
i = 6
while i + 1 <= #ARGV do
  local lo, hi = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  i = i + 2
  each_bucket(lo, hi, function(b, key)
    local h = redis.call('HGETALL', key)
    local sets = {}
    for k = 1, #h, 2 do
      local uid = b * 128 + tonumber(h[k])
      if uid >= lo and uid <= hi then
        sets[#sets + 1] = h[k]
        sets[#sets + 1] = pack(ms - base, packed_fid(h[k + 1]))
      end
    end
    if #sets > 0 then
      redis.call('HSET', key, unpack(sets))
      any = true
    end
  end)
end
if not any then return 0 end
redis.call('HSET', META, 'hms', int(ms))
touch()
return ms
