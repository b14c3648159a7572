-- wrk script: GET /v1/search for each line of a file of URL-encoded queries, in turn.
--   python3 benches/load/queries.py FILE.queries.jsonl > /tmp/q.txt
--   wrk -t1 -c8 -d30s --latency -s benches/load/search.lua http://127.0.0.1:7700 -- /tmp/q.txt "$TOKEN"
-- TOKEN is an access token or an API key with the `search` scope (search needs one).
local queries = {}
local i = 0
local auth = nil

function init(args)
  for line in io.lines(args[1]) do
    queries[#queries + 1] = line
  end
  if args[2] then
    auth = { ["Authorization"] = "Bearer " .. args[2] }
  end
end

function request()
  i = i % #queries + 1
  return wrk.format("GET", "/v1/search?limit=20&q=" .. queries[i], auth)
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status)
  end
end
