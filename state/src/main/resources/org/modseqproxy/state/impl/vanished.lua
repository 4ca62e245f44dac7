-- UIDs expunged after modseq ARGV[4]. Returns {0} without state for UV, {1, horizon} when the log does not reach
-- back that far (RFC 7162 3.2.5.2: caller falls back to known-uids), else {2, uid-set, uid-set, ...}.
if stored_uv() ~= UV then return {0} end
local meta = redis.call('HMGET', META, 'uv', 'hz')
touch()
local hz, m = tonumber(meta[2]), tonumber(ARGV[4])
if m < hz then return {1, hz} end
local out = {2}
local idx = redis.call('LLEN', XLOG) - 1
while idx >= 0 do
  local from = math.max(0, idx - 99)
  local chunk = redis.call('LRANGE', XLOG, from, idx)
  for k = #chunk, 1, -1 do
    local sp = string.find(chunk[k], ' ', 1, true)
    if tonumber(string.sub(chunk[k], 1, sp - 1)) <= m then return out end
    out[#out + 1] = string.sub(chunk[k], sp + 1)
  end
  idx = from - 1
end
return out
