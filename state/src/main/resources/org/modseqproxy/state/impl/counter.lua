-- HIGHESTMODSEQ, creating the state if absent; ARGV[4] now, ARGV[5] '1' to bump it first. Returns hms.
local hms = ensure(tonumber(ARGV[4]))
touch()
if ARGV[5] == '1' then
  hms = hms + 1
  redis.call('HSET', META, 'hms', int(hms))
end
return hms
