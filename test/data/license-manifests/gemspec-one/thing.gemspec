Gem::Specification.new do |s|
  s.name = "thing"
  s.license = "MIT".freeze
end
