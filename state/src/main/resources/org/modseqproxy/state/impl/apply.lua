-- Applies one change batch atomically (one new modseq for everything it changes).
-- ARGV[4] now (start value if the state is absent), ARGV[5] max expunge-log entries, ARGV[6] number of upserts,
-- ARGV[7] observed modseq (0: none; else a stored message with a higher modseq keeps its state, and a message the
-- expunge log remembers is not brought back: the backend's report may predate that change, see ChangeSet), then
-- ARGV[6] pairs (uid, flags), then pairs (lo, hi) of UID ranges to expunge.
-- Each upsert is compared with the stored flag-set id here, inside the script, so a batch computed in Java from
-- a snapshot that another proxy instance has since changed still only changes what really differs; an expunge
-- only removes (and logs) uids that are present. Returns
-- {hms before, assigned modseq or 0, 1 if state was created, horizon, added-set, changed-set, expunged-set}.
local now, maxlog, nup, observed = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local hms, created = ensure(now)
touch()
local base = tonumber(redis.call('HGET', META, 'base'))
local ms = hms + 1
local delta = ms - base
local added, changed, gone, new_keys = {}, {}, {}, {}

local fid_cache = {}
local function flagset_id(flags)
  if flags == '' then return 0 end
  local id = fid_cache[flags]
  if id then return id end
  id = redis.call('HGET', FLAGSETS, '=' .. flags)
  if id then
    id = tonumber(id)
  else
    id = redis.call('HINCRBY', META, 'nf', 1) - 1
    redis.call('HSET', FLAGSETS, '=' .. flags, int(id), int(id), flags)
  end
  fid_cache[flags] = id
  return id
end

-- Whether the expunge log remembers uid (an expunged UID never comes back, RFC 9051 2.3.1.1). Read once, and only
-- when an observed report names a message the store lacks: a new message, or one whose expunge this backend session
-- has not reported yet and whose flags it still shows as they were (RFC 9051 7.5.1 lets it).
local logged
local function expunge_logged(uid)
  if not logged then
    logged = {}
    for _, entry in ipairs(redis.call('LRANGE', XLOG, 0, -1)) do
      for part in string.gmatch(string.sub(entry, string.find(entry, ' ', 1, true) + 1), '[^,]+') do
        local lo, hi = string.match(part, '^(%d+):(%d+)$')
        if lo then
          logged[#logged + 1] = {tonumber(lo), tonumber(hi)}
        else
          logged[#logged + 1] = {tonumber(part), tonumber(part)}
        end
      end
    end
  end
  for _, r in ipairs(logged) do
    if uid >= r[1] and uid <= r[2] then return true end
  end
  return false
end

-- Upserts, grouped by bucket so that a 100 000-message first sync costs a few calls per 128 messages.
local groups, order = {}, {}
local i = 8
for _ = 1, nup do
  local uid = tonumber(ARGV[i])
  local b = math.floor(uid / 128)
  local g = groups[b]
  if not g then
    g = {}
    groups[b] = g
    order[#order + 1] = b
  end
  g[#g + 1] = uid
  g[#g + 1] = ARGV[i + 1]
  i = i + 2
end
for _, b in ipairs(order) do
  local g, key = groups[b], PREFIX .. int(b)
  local olds = {}
  local known = redis.call('SISMEMBER', BUCKETS, int(b)) == 1
  if known then
    local fields = {}
    for k = 1, #g, 2 do fields[#fields + 1] = int(g[k] % 128) end
    olds = redis.call('HMGET', key, unpack(fields))
  else
    -- a bucket key not listed in BUCKETS is a leftover of expired state: never let it leak into this one
    redis.call('DEL', key)
  end
  local sets = {}
  for k = 1, #g, 2 do
    local v = g[k + 1]
    local touch = string.byte(v, 1) == 1 -- "\1" prefix: a client's STORE, re-stamped even if unchanged
    if touch then v = string.sub(v, 2) end
    local uid, old = g[k], olds[(k + 1) / 2]
    if old and observed > 0 and base + packed_delta(old) > observed then
      -- changed after the backend's report was observed (another instance's write): left as stored
    elseif not old and observed > 0 and expunge_logged(uid) then
      -- expunged since: the report shows the message as it was before
    else
      local fid = flagset_id(v)
      if not old then
        added[#added + 1] = uid
      elseif packed_fid(old) ~= fid or touch then
        changed[#changed + 1] = uid
      end
      if not old or packed_fid(old) ~= fid or touch then
        sets[#sets + 1] = int(uid % 128)
        sets[#sets + 1] = pack(delta, fid)
      end
    end
  end
  if #sets > 0 then
    redis.call('HSET', key, unpack(sets))
    if not known then
      redis.call('SADD', BUCKETS, int(b))
      new_keys[#new_keys + 1] = key
    end
  end
end

-- Expunges: walk only the buckets in use that overlap each range (a range may be huge, e.g. 1:4294967295).
while i + 1 <= #ARGV do
  local lo, hi = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  i = i + 2
  each_bucket(lo, hi, function(b, key)
    local del = {}
    for _, f in ipairs(redis.call('HKEYS', key)) do
      local uid = b * 128 + tonumber(f)
      if uid >= lo and uid <= hi then
        del[#del + 1] = f
        gone[#gone + 1] = uid
      end
    end
    if #del > 0 then
      redis.call('HDEL', key, unpack(del))
      if redis.call('EXISTS', key) == 0 then redis.call('SREM', BUCKETS, int(b)) end
    end
  end)
end

local hz = tonumber(redis.call('HGET', META, 'hz'))
if #added + #changed + #gone > 0 then
  redis.call('HSET', META, 'hms', int(ms))
  if #gone > 0 then
    redis.call('RPUSH', XLOG, int(ms) .. ' ' .. to_set(gone))
    redis.call('HSET', META, 'xl', '1')
    local len = redis.call('LLEN', XLOG)
    if len > maxlog then
      -- RFC 7162 5.3: forgetting entries raises the horizon to the newest forgotten modseq
      local newest_dropped = redis.call('LINDEX', XLOG, len - maxlog - 1)
      local dropped_ms = tonumber(string.match(newest_dropped, '^%d+'))
      redis.call('LTRIM', XLOG, len - maxlog, -1)
      if dropped_ms > hz then
        hz = dropped_ms
        redis.call('HSET', META, 'hz', int(hz))
      end
    end
  end
else
  ms = 0
end
for _, k in ipairs(new_keys) do expire_if_new(k) end
expire_if_new(FLAGSETS)
expire_if_new(BUCKETS)
expire_if_new(XLOG)
return {hms, ms, created and 1 or 0, hz, to_set(added), to_set(changed), to_set(gone)}
