local M = {}

function M.clamp(value, low, high)
  if value < low then return low end
  if value > high then return high end
  return value
end

return M
