-- wrk script: POST /api/v1/cases with a new Idempotency-Key for every request.
-- Arguments (after --): the bearer token, a nonce that makes this run's keys unique.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  token, nonce, counter = args[1], args[2], 0
end

function request()
  counter = counter + 1
  local key = nonce .. "-" .. id .. "-" .. counter
  local body = '{"centre":"SFQ","channel":"12345","title":"压测案件 ' .. key .. '",'
    .. '"description":"原单位已注销，窗口要求原单位证明，无法提供，已经跑了两次。",'
    .. '"service_item":"RS-SB-0001","reporter":{"name":"测试人","phone":"13900001234"}}'
  return wrk.format("POST", "/api/v1/cases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end
