# Clamp keeps a number inside a range.
module Clamp
  def self.clamp(value, low, high)
    return low if value < low
    return high if value > high
    value
  end
end
