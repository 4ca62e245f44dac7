-- Near-cache validation: {uv or '', hms or 0}; also keeps the keys from expiring.
local meta = redis.call('HMGET', META, 'uv', 'hms')
if not meta[1] then return {'', 0} end
touch()
return {meta[1], tonumber(meta[2])}
