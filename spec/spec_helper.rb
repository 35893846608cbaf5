# frozen_string_literal: true

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)

# The suite runs against Debian's real ActiveSupport 6.1, loaded first as in a Rails app.
# RAILSESS_WITHOUT_ACTIVE_SUPPORT=1 runs (parts of) it as a plain Rack app would: no ActiveSupport.
WITHOUT_ACTIVE_SUPPORT = !ENV["RAILSESS_WITHOUT_ACTIVE_SUPPORT"].to_s.empty?
unless WITHOUT_ACTIVE_SUPPORT
  # Another ActiveSupport's source (e.g. a rails/rails checkout), to run the compat specs against it.
  if (as_lib = ENV.fetch("RAILSESS_ACTIVESUPPORT_LIB", nil))
    require "set"
    $LOAD_PATH.unshift as_lib
  end
  require "active_support"
  require "active_support/json"
  require "active_support/key_generator"
  require "active_support/message_encryptor"
  require "active_support/message_verifier"
end
require "json"
require "railsess"

Dir[File.join(__dir__, "support", "**", "*.rb")].each { |f| require f }

RSpec.configure do |config|
  # RAILSESS_GC_STRESS=1: every example runs with a (minor) GC at every allocation, so native code
  # that holds a Ruby object the GC cannot see fails (bin/test runs a subset this way).
  if ENV["RAILSESS_GC_STRESS"]
    config.around do |example|
      GC.stress = 0x01
      example.run
    ensure
      GC.stress = false
    end
  end
  config.disable_monkey_patching!
  config.order = :random
  Kernel.srand config.seed
  config.example_status_persistence_file_path = ".rspec_status"
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  config.filter_run_excluding :active_support if WITHOUT_ACTIVE_SUPPORT
  # spec/rails_app boots a Rails application: it runs in its own process (bin/test step
  # rspec-rails-app: `RAILSESS_RAILS_APP=1 rspec spec/rails_app`).
  # spec/e2e starts bin/demo and drives Chromium: also its own process (step e2e).
  excluded = []
  excluded << "rails_app" unless ENV["RAILSESS_RAILS_APP"]
  excluded << "e2e" unless ENV["RAILSESS_E2E"]
  config.exclude_pattern = "spec/{#{excluded.join(',')}}/**/*_spec.rb" unless excluded.empty?
end
