-- state.listingReuse: when a full listing of this mailbox was last synced, by any instance sharing this Redis (meta
-- field lt, in Redis's own clock, so the instances' clocks do not matter). ARGV[4] "mark": records now, returns 1.
-- ARGV[4] "ask": the last mark's age in milliseconds, -1 for none. Only state of this UIDVALIDITY counts; a wipe
-- forgets it.
if stored_uv() ~= UV then
  if ARGV[4] == 'mark' then return 0 end
  return -1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] == 'mark' then
  redis.call('HSET', META, 'lt', int(now))
  return 1
end
local lt = tonumber(redis.call('HGET', META, 'lt') or '0')
if lt > 0 then return math.max(0, now - lt) end
return -1
