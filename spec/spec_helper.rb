# frozen_string_literal: true

# The specs, by subject (one folder per thing railsess provides):
#   message_encryptor/ message_verifier/ key_generator/   one ActiveSupport class each
#   messages/      what the encryptor and verifier share: metadata, expiry, MessagePack, one decryption,
#                  the differential run against the loaded ActiveSupport
#   json/ cookies/ session/ csrf/ flash/ warden/ rack/     the Rack layer (session: cookie, Redis and
#                  Memcached stores, their exchanges with a real Rails); rack/: Rack::Lint, hostile requests
#   rails/         the Rails integration (Railtie pieces, a real ActionDispatch stack, presets)
#   library/       the gem as a whole: loading, no ActiveSupport, threads, GC stress, secrets in inspect
#   cli/ docs/ fuzz/                                       and rails_app/, e2e/: their own processes
# Each top-level group says what kind of test it is with `kind:` (a nested group may say otherwise):
#   :unit          railsess on its own            :compat        side by side with real ActiveSupport/Rails
#   :bad_input     hostile or malformed input, compared with ActiveSupport where it exists
#   :vectors       what real Rails 6.1-8.1 wrote (spec/fixtures/vectors)
#   :differential  every operation, valid and hostile, against the loaded ActiveSupport
#   :integration   real servers, Rack or Rails stacks, subprocesses   :stress  threads, GC.stress
#   :docs          docs/ matches the code                  :fuzz          mutation fuzzing
# e.g. `rspec --tag kind:compat`, `rspec spec/message_verifier`. What the encryptor and the verifier
# share is written once, as shared examples in spec/support/shared_examples/.
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
  # Railsess' process-wide metadata setting (Railsess.use_message_serializer_for_metadata=): an
  # example may set it; the next one starts from what this one found.
  config.around do |example|
    saved = Railsess.instance_variable_get(:@use_message_serializer_for_metadata)
    example.run
  ensure
    Railsess.use_message_serializer_for_metadata = saved
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
  # Every top-level group names its kind (see the top of this file); the two that run in their own
  # process get theirs from their folder.
  { "rails_app" => :integration, "e2e" => :integration }.each do |folder, kind|
    config.define_derived_metadata(file_path: %r{/spec/#{folder}/}) { |meta| meta[:kind] ||= kind }
  end
  config.before(:suite) do
    untagged = RSpec.world.example_groups.reject { |group| group.metadata[:kind] }
    raise "spec groups without kind: #{untagged.map(&:location).join(', ')}" unless untagged.empty?
  end
  excluded = []
  excluded << "rails_app" unless ENV["RAILSESS_RAILS_APP"]
  excluded << "e2e" unless ENV["RAILSESS_E2E"]
  config.exclude_pattern = "spec/{#{excluded.join(',')}}/**/*_spec.rb" unless excluded.empty?
end
