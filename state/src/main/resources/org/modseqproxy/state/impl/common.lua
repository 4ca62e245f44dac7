-- Shared prelude of every modseq-proxy script (RedisScripts prepends it).
-- Layout of one mailbox, all keys under one hash tag so a script touches one Redis Cluster slot:
--   KEYS[1] meta hash : uv (UIDVALIDITY), hms (HIGHESTMODSEQ), base (modseq origin of packed values),
--                       hz (expunge horizon, RFC 7162 5.3), nf (next flag-set id),
--                       rh (replication history the state was created in, see history()),
--                       lt (Redis time in ms of the last full listing, state.listingReuse, see listed.lua)
--   KEYS[2] flag sets : "=<flags>" -> id and id -> "<flags>" (flags space-separated, normalized by Java), and
--                       the marker field "!" (see intact())
--   KEYS[3] set of bucket numbers in use (intset-encoded), and the marker member -1
--   KEYS[4] expunge log list: "<modseq> <uid-set>", oldest first; meta field xl says it has had entries
--   <ARGV[1]>h   holds of conditional STOREs in flight: uid -> "<expiry ms> <holder>" (reserve.lua, release.lua)
--   <ARGV[1]><n> bucket n: hash of uid%128 -> packed (modseq-base)*4096 + flag-set id (or "<delta>.<id>" when the
--                id is 4096 or more). Small hashes stay listpack/ziplist encoded: a few bytes per message.
-- ARGV[1] bucket key prefix, ARGV[2] UIDVALIDITY (decimal string), ARGV[3] TTL in ms (0: keys never expire).
-- Lua numbers are doubles: every modseq stays below 2^53 and integers are printed with %d, never tostring().
local META, FLAGSETS, BUCKETS, XLOG = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local PREFIX, UV, TTL = ARGV[1], ARGV[2], tonumber(ARGV[3])
local PACK = 4096

local function int(n) return string.format('%d', n) end

-- The replication history this Redis is on: its master_replid. Replication is asynchronous, so a Sentinel or
-- Cluster failover may promote a replica that lacks the last acknowledged writes, and a restart from an older
-- snapshot loses them too. The state that survives is consistent but OLDER than what clients have already seen:
-- HIGHESTMODSEQ would go back, the next changes would reuse mod-sequences already handed out (RFC 7162 3.1 forbids
-- both), and a change that was later undone would stay hidden from a client that saw it. Either event starts a new
-- history (a new master_replid; checked with redis-server 7.0 and 6.2), and nothing in the surviving data tells
-- whether this mailbox lost anything, so state created in another history is treated as lost: dropped and started
-- again above the clock, like state that expired. After a failover every mailbox therefore costs its clients one
-- fuller resync, never a wrong one ("Correctness never depends on Redis durability", DESIGN.md).
local current_history
local function history()
  if not current_history then
    current_history = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or ''
  end
  return current_history
end

local function wipe()
  for _, b in ipairs(redis.call('SMEMBERS', BUCKETS)) do redis.call('DEL', PREFIX .. b) end
  redis.call('DEL', META, FLAGSETS, BUCKETS, XLOG, PREFIX .. 'h')
end

-- Refresh the expiry of every key of the mailbox, but only when less than half the TTL is left: a mailbox in use
-- costs one PTTL per call, not one PEXPIRE per bucket.
local function touch()
  if TTL <= 0 then return end
  local left = redis.call('PTTL', META)
  if left == -2 or left > TTL / 2 then return end
  for _, b in ipairs(redis.call('SMEMBERS', BUCKETS)) do redis.call('PEXPIRE', PREFIX .. b, TTL) end
  redis.call('PEXPIRE', META, TTL)
  redis.call('PEXPIRE', FLAGSETS, TTL)
  redis.call('PEXPIRE', BUCKETS, TTL)
  redis.call('PEXPIRE', XLOG, TTL)
end

-- Give keys created during this call an expiry (touch() skips them while the meta key is fresh).
local function expire_if_new(key)
  if TTL > 0 and redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, TTL) end
end

-- Whether the state's keys are all there. They expire together (touch()), but under memory pressure Redis evicts
-- single keys (maxmemory-policy volatile-* or allkeys-*): a mailbox missing its expunge log would resync clients
-- without their VANISHED, one missing its flag sets could not be read. So the flag-set hash and the bucket set
-- carry a marker from creation on (Redis deletes empty hashes and sets), and meta says when the log has had entries
-- (trimming never empties it); a mailbox missing any of them is treated as lost, like an expired one.
local function intact(xl)
  if redis.call('EXISTS', FLAGSETS, BUCKETS) ~= 2 then return false end
  return not xl or redis.call('EXISTS', XLOG) == 1
end

-- UIDVALIDITY of the stored state, or nil when there is none, or none that can be trusted (history(), intact()).
local function stored_uv()
  local m = redis.call('HMGET', META, 'uv', 'rh', 'xl')
  if m[1] and m[2] == history() and intact(m[3]) then return m[1] end
  return nil
end

-- Makes sure the state belongs to UIDVALIDITY UV; returns hms and whether the state was (re)created.
-- Absent state starts at `now` (the proxy's ModSeqClock: milliseconds since 2026, above what it handed out); a UIDVALIDITY change drops the old
-- state and starts above its HIGHESTMODSEQ (RFC 7162 3.1.2.1: HIGHESTMODSEQ never goes back).
-- State of another replication history, or with keys evicted, is dropped the same way (history(), intact()); `now`
-- is what puts the new start above mod-sequences that lost writes had handed out.
local function ensure(now)
  local cur = redis.call('HMGET', META, 'uv', 'hms', 'rh', 'xl')
  if cur[1] == UV and cur[3] == history() and intact(cur[4]) then return tonumber(cur[2]), false end
  local start = now
  if cur[2] then start = math.max(now, tonumber(cur[2]) + 1) end
  wipe()
  redis.call('HSET', META, 'uv', UV, 'hms', int(start), 'base', int(start), 'hz', int(start), 'nf', '1',
    'rh', history())
  redis.call('HSET', FLAGSETS, '!', '')
  redis.call('SADD', BUCKETS, -1)
  expire_if_new(META)
  expire_if_new(FLAGSETS)
  expire_if_new(BUCKETS)
  return start, true
end

-- One message's value in its bucket: (modseq - base) * PACK + flag-set id, or "<delta>.<id>" for ids >= PACK.
local function pack(delta, fid)
  if fid < PACK then return int(delta * PACK + fid) end
  return int(delta) .. '.' .. int(fid)
end

local function packed_fid(v)
  local dot = string.find(v, '.', 1, true)
  if dot then return tonumber(string.sub(v, dot + 1)) end
  return tonumber(v) % PACK
end

local function packed_delta(v)
  local dot = string.find(v, '.', 1, true)
  if dot then return tonumber(string.sub(v, 1, dot - 1)) end
  return math.floor(tonumber(v) / PACK)
end

-- Bucket numbers in use, sorted; read once per script call (buckets a script creates are added before use).
local bucket_list
local function bucket_numbers()
  if not bucket_list then
    bucket_list = {}
    for _, s in ipairs(redis.call('SMEMBERS', BUCKETS)) do bucket_list[#bucket_list + 1] = tonumber(s) end
    table.sort(bucket_list)
  end
  return bucket_list
end

-- Calls fn(bucket number, key) for each bucket in use that may hold uids in [lo, hi]: only those, so a range
-- such as 1:4294967295 costs what the mailbox holds, not what the range spans.
local function each_bucket(lo, hi, fn)
  local bs = bucket_numbers()
  local first, last = math.floor(lo / 128), math.floor(hi / 128)
  local a, z = 1, #bs + 1
  while a < z do
    local mid = math.floor((a + z) / 2)
    if bs[mid] < first then a = mid + 1 else z = mid end
  end
  while a <= #bs and bs[a] <= last do
    fn(bs[a], PREFIX .. int(bs[a]))
    a = a + 1
  end
end

-- A sorted uid list as an IMAP sequence set ("1:3,7"), '' when empty.
local function to_set(uids)
  if #uids == 0 then return '' end
  table.sort(uids)
  local parts, s, e = {}, uids[1], uids[1]
  local function flush()
    if s == e then parts[#parts + 1] = int(s) else parts[#parts + 1] = int(s) .. ':' .. int(e) end
  end
  for k = 2, #uids do
    if uids[k] == e + 1 then e = uids[k] else flush(); s, e = uids[k], uids[k] end
  end
  flush()
  return table.concat(parts, ',')
end
