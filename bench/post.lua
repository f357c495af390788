-- wrk script: POST pre-generated submissions (one "api_key<TAB>json body" per line of BODIES), round robin per thread.
local lines = {}
local n = 0

function init(args)
  local path = os.getenv("BODIES")
  for line in io.lines(path) do
    local key, body = line:match("^([^\t]*)\t(.*)$")
    lines[#lines + 1] = {key, body}
  end
  n = math.random(#lines)
end

function request()
  n = n % #lines + 1
  local item = lines[n]
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. item[1]}, item[2])
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
