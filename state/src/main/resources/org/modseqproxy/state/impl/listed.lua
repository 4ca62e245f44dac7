-- state.listingReuse: when a full listing of this mailbox was last synced, by any instance sharing this Redis (meta
-- field lt, in Redis's own clock, so the instances' clocks do not matter). ARGV[4] "mark": records now. ARGV[4] "ask":
-- 1 if the last mark is younger than ARGV[5] milliseconds. Only state of this UIDVALIDITY counts; a wipe forgets it.
if stored_uv() ~= UV then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] == 'mark' then
  redis.call('HSET', META, 'lt', int(now))
  return 1
end
local lt = tonumber(redis.call('HGET', META, 'lt') or '0')
if lt > 0 and now - lt < tonumber(ARGV[5]) then return 1 end
return 0
