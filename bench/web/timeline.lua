-- wrk script: the timeline query (/api/timeline: episodes + evidence + notes) over random
-- 7-day windows of the two-year history, with each filter combination in turn.
math.randomseed(42)
local counter = 0
request = function()
  counter = counter + 1
  local day = math.random(0, 720)
  local from = os.date("!%Y-%m-%d", 1730419200 + day * 86400)
  local to = os.date("!%Y-%m-%d", 1730419200 + (day + 7) * 86400)
  local ip = "198.51.100." .. math.random(1, 4)
  local scope = "provider-" .. math.random(0, 24) .. "/cluster"
  local mode = counter % 4
  local path = "/api/timeline?from=" .. from .. "&to=" .. to
  if mode == 0 then
    path = path .. "&ip=" .. ip .. "&scope=" .. scope
  elseif mode == 1 then
    path = path .. "&ip=" .. ip
  elseif mode == 2 then
    path = path .. "&scope=" .. scope
  end
  return wrk.format("GET", path)
end
