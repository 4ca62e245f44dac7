-- Near-cache validation: {uv or '', hms or 0}; also keeps the keys from expiring.
if not stored_uv() then return {'', 0} end
local meta = redis.call('HMGET', META, 'uv', 'hms')
touch()
return {meta[1], tonumber(meta[2])}
