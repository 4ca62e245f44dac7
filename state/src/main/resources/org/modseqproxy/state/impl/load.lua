-- Reads the whole mailbox. Returns {0} if absent or for another UIDVALIDITY, else
-- {1, hms, horizon, base, nflagsets, (id, flags)..., then per bucket: number, 2*fields, field, packed, ...}.
if stored_uv() ~= UV then return {0} end
local meta = redis.call('HMGET', META, 'uv', 'hms', 'hz', 'base')
touch()
local out = {1, tonumber(meta[2]), tonumber(meta[3]), tonumber(meta[4]), 0}
local fs = redis.call('HGETALL', FLAGSETS)
local n = 0
for k = 1, #fs, 2 do
  if string.sub(fs[k], 1, 1) ~= '=' and fs[k] ~= '!' then
    out[#out + 1] = fs[k]
    out[#out + 1] = fs[k + 1]
    n = n + 1
  end
end
out[5] = n
for _, b in ipairs(redis.call('SMEMBERS', BUCKETS)) do
  if b ~= '-1' then -- the marker (common.lua intact())
    local h = redis.call('HGETALL', PREFIX .. b)
    out[#out + 1] = b
    out[#out + 1] = #h
    for k = 1, #h do out[#out + 1] = h[k] end
  end
end
return out
