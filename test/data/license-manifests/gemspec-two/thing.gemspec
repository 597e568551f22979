Gem::Specification.new do |spec|
  spec.name          = "thing"
  spec.version       = "1.0.0"
  spec.licenses      = ['MIT', 'Apache-2.0']
end
