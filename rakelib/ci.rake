# frozen_string_literal: true

# The one pipeline: `rake ci` runs every check, on Debian 12 (this machine) and on today's stack in
# a cached Debian 13 root (bin/trixie), each as a named task that also runs on its own
# (`rake spec:pure`, `rake trixie:spec`, ...). bin/test is `bin/setup` + `rake ci`; CI runs bin/test.
#
#   rake ci                            everything, fail fast; the last line says PASSED or FAILED
#   BIN_TEST_KEEP_GOING=1 rake ci      every step even after a failure, failures listed at the end
#   RAILSESS_CI_ONLY=trixie rake ci    only the steps whose names match (a regexp), for a partial run
#   rake ci:steps                      the steps, in order
#
# With CI=true a Debian 13 root that cannot be built fails the run; elsewhere the last line says
# the modern platform is missing.

# Steps run by name, timed, with the harness' reporting.
module CIPipeline
  RAILS_7 = %w[v7.0.10 v7.1.6 v7.2.3.2].freeze
  RAILS_8 = %w[v8.0.5.1 v8.1.3.1].freeze
  DEVISE_TREES = %w[devise-v5.0.3 warden-v1.2.9 responders-v3.2.0].freeze
  DEVISE_LIB = DEVISE_TREES.map { |tree| "tmp/gems/#{tree}/lib" }.join(":")
  RAILS_LIBS = %w[activesupport actionpack actionview activemodel activerecord railties].freeze
  GC_STRESS_SPECS = %w[spec/json/json_spec.rb spec/session/vectors_spec.rb].freeze
  VALKEY_SPECS = %w[redis_circuit redis_security redis_session_store_behaviour redis_store redis_exchange
                    redis_topologies].map { |name| "spec/session/#{name}_spec.rb" }.freeze

  # [name, task] of Debian 12's steps, then of Debian 13's (after trixie:setup).
  HOST = [
    "compile", "fmt", "clippy", "cargo_test", "spec", "spec:without_active_support", "spec:pure",
    "spec:gc_stress", "spec:rails_app", "spec:e2e", *RAILS_7.map { |tag| "spec:rails:#{tag}" },
    "fuzz:smoke", "rubocop", "bench:smoke", "package"
  ].freeze
  TRIXIE = [
    "trixie:compile", "trixie:cargo_test", "trixie:spec", "trixie:spec:without_active_support",
    "trixie:spec:pure", "trixie:spec:gc_stress", "trixie:valkey", "trixie:fuzz", "trixie:package",
    *RAILS_8.map { |tag| "trixie:spec:rails:#{tag}" }, "bench:trixie_smoke",
    "trixie:rails_app:6.1", "trixie:rails_app:7.2", "trixie:rails_app:7.2-msgpack",
    "trixie:rails_app:8.0", "trixie:rails_app:8.0-msgpack", "trixie:rails_app:8.1", "trixie:rails_app:8.1-msgpack",
    "trixie:e2e", "native_gem"
  ].freeze

  @timings = []
  @failed = []
  @passed = 0
  @started = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  class << self
    def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    def elapsed = (now - @started).round

    def selected?(name)
      only = ENV.fetch("RAILSESS_CI_ONLY", "")
      only.empty? || Regexp.new(only).match?(name)
    end

    # Runs the task `name` as a step: true when it passed. Fails the run (exit 1) unless
    # BIN_TEST_KEEP_GOING is set.
    def step(name)
      return true unless selected?(name)

      puts "\n==> [#{name}]"
      t0 = now
      ok = begin
        Rake::Task[name].invoke
        true
      rescue StandardError, SystemExit => e
        warn "#{name}: #{e.message}"
        false
      end
      record(name, (now - t0).round, ok)
      ok
    end

    def record(name, seconds, passed)
      @timings << "#{name.ljust(34)} #{seconds.to_s.rjust(4)}s#{passed ? '' : '  FAILED'}"
      if passed
        puts "<== [#{name}] ok (#{seconds}s)"
        @passed += 1
        return
      end
      puts "<== [#{name}] FAILED (#{seconds}s)"
      @failed << name
      finish unless keep_going?
    end

    def skip(name, why)
      puts "\n--- [#{name}] skipped: #{why}"
      @timings << "#{name.ljust(34)} skipped (#{why})"
    end

    def keep_going? = !ENV.fetch("BIN_TEST_KEEP_GOING", "").empty?
    def ci? = %w[true 1].include?(ENV.fetch("CI", ""))

    def run
      HOST.each { |name| step(name) }
      trixie_missing = nil
      if ci?
        step("trixie:setup")
      elsif !attempt("trixie:setup")
        trixie_missing = "the Debian 13 root could not be built (bin/trixie setup failed; CI fails here)"
        skip("trixie", trixie_missing)
      end
      TRIXIE.each { |name| step(name) } unless trixie_missing
      finish(trixie_missing)
    end

    # A step whose failure does not fail the run (the Debian 13 root outside CI).
    def attempt(name)
      return true unless selected?(name)

      puts "\n==> [#{name}]"
      t0 = now
      Rake::Task[name].invoke
      record(name, (now - t0).round, true)
      true
    rescue StandardError => e
      warn "#{name}: #{e.message}"
      false
    end

    def finish(trixie_missing = nil)
      puts "\nStep timings:"
      @timings.each { |line| puts "  #{line}" }
      puts
      unless @failed.empty?
        puts "rake ci: FAILED steps: #{@failed.join(' ')} (#{@passed} passed) in #{elapsed}s"
        exit 1
      end
      if trixie_missing
        puts "rake ci: PASSED on Debian 12 only (#{@passed} steps in #{elapsed}s): #{trixie_missing}"
      else
        puts "rake ci: PASSED, all #{@passed} steps in #{elapsed}s"
      end
      exit 0
    end

    # Unpacks ../shared/rails/NAME.tar.gz into tmp/gems/NAME (once) for each NAME.
    def unpack_trees(*names)
      names.each do |name|
        dest = "tmp/gems/#{name}"
        next if File.directory?(dest) # moved into place once complete

        FileUtils.rm_rf("#{dest}.partial")
        FileUtils.mkdir_p("#{dest}.partial")
        sh_out("tar", "-xzf", "../shared/rails/#{name}.tar.gz", "-C", "#{dest}.partial", "--strip-components=1")
        FileUtils.mv("#{dest}.partial", dest)
      end
    end

    def sh_out(*cmd)
      system(*cmd) || raise("command failed: #{cmd.join(' ')}")
    end

    def trixie(*cmd, env: {})
      sh_out("bin/trixie", "run", *(env.empty? ? [] : ["env", *env.map { |k, v| "#{k}=#{v}" }]), *cmd)
    end
  end
end

desc "The whole pipeline on both platforms (what bin/test and CI run; see rakelib/ci.rake)"
task(:ci) { CIPipeline.run }

namespace :ci do
  desc "The pipeline's steps, in order"
  task :steps do
    puts CIPipeline::HOST, "trixie:setup", CIPipeline::TRIXIE
  end
end

namespace :spec do
  desc "The suite as a plain Rack app runs it: no ActiveSupport loaded (:active_support groups skip)"
  task(:without_active_support) { sh({ "RAILSESS_WITHOUT_ACTIVE_SUPPORT" => "1" }, "rspec") }

  desc "The suite on the pure-Ruby implementation of the core (lib/railsess/pure)"
  task(:pure) { sh({ "RAILSESS_PURE" => "1" }, "rspec") }

  desc "Native code under GC.stress: the JSON-to-Ruby and session paths"
  task(:gc_stress) { sh({ "RAILSESS_GC_STRESS" => "1" }, "rspec", *CIPipeline::GC_STRESS_SPECS) }

  desc "A real Rails app (railties, ActiveRecord on SQLite, Devise) with the Railtie, in its own process"
  task(:rails_app) { sh({ "RAILSESS_RAILS_APP" => "1" }, "rspec spec/rails_app") }

  desc "The demo (bin/demo, cookie and Redis sessions) in headless Chromium; screenshots in tmp/e2e"
  task(:e2e) { sh({ "RAILSESS_E2E" => "1" }, "rspec spec/e2e") }

  namespace :rails do
    CIPipeline::RAILS_7.each do |tag|
      desc "The exchange and compat specs against the Rails #{tag} release tree (../shared/rails)"
      task(tag) { sh "bin/spec-newer-rails", tag }
    end
  end
end

namespace :fuzz do
  desc "Short fuzz runs: cargo fuzz 10 s per target, 2000 Ruby mutations per target"
  task :smoke do
    ENV["FUZZ_SECONDS"] = "10"
    ENV["RAILSESS_FUZZ_ITERATIONS"] = "2000"
    Rake::Task[:fuzz].invoke
  end
end

namespace :bench do
  desc "Every bench/*.rb in smoke mode: they run and agree with ActiveSupport; nothing is measured"
  task(:smoke) { sh({ "RAILSESS_BENCH_SMOKE" => "1" }, "rake bench") }
end

desc "Build the gem, install it offline into a temporary GEM_HOME, and load it from elsewhere"
task(:package) { sh "script/package-check" }

desc "The precompiled x86_64-linux gem (Ruby 3.1 and 3.3), installed without Rust on both platforms"
task(:native_gem) { sh "script/native-gem" }

namespace :trixie do
  desc "Build (or check) the cached Debian 13 root (bin/trixie setup)"
  task(:setup) { sh "bin/trixie setup" }

  desc "The extension for Debian 13's Ruby 3.3 (tmp/trixie/ext -> lib/railsess/3.3/)"
  task(:compile) do
    CIPipeline.trixie("sh", "-c",
                      "mkdir -p tmp/trixie/ext && cd tmp/trixie/ext && ruby ../../../ext/railsess/extconf.rb && make")
  end

  desc "cargo test on Debian 13"
  task(:cargo_test) { CIPipeline.trixie("cargo", "test", "--workspace", "--locked") }

  desc "The whole suite on Debian 13 (Ruby 3.3, Rack 3.1, Rails 7.2)"
  task(:spec) { CIPipeline.trixie("rspec") }

  namespace :spec do
    desc "The Debian 13 suite without ActiveSupport"
    task(:without_active_support) { CIPipeline.trixie("rspec", env: { "RAILSESS_WITHOUT_ACTIVE_SUPPORT" => "1" }) }

    desc "The Debian 13 suite on the pure-Ruby core"
    task(:pure) { CIPipeline.trixie("rspec", env: { "RAILSESS_PURE" => "1" }) }

    desc "GC.stress on Debian 13"
    task(:gc_stress) { CIPipeline.trixie("rspec", *CIPipeline::GC_STRESS_SPECS, env: { "RAILSESS_GC_STRESS" => "1" }) }

    namespace :rails do
      CIPipeline::RAILS_8.each do |tag|
        desc "The exchange and compat specs against the Rails #{tag} release tree, on Debian 13"
        task(tag) { CIPipeline.trixie("bin/spec-newer-rails", tag) }
      end
    end
  end

  desc "The Redis store suite on Valkey 8 (one node, Cluster, Sentinel)"
  task(:valkey) do
    CIPipeline.trixie("rspec", *CIPipeline::VALKEY_SPECS, env: { "RAILSESS_REDIS_SERVER" => "valkey-server" })
  end

  desc "The Ruby fuzzer on Debian 13"
  task(:fuzz) { CIPipeline.trixie("rspec", "spec/fuzz", env: { "RAILSESS_FUZZ_ITERATIONS" => "2000" }) }

  desc "Gem build + offline install on Debian 13"
  task(:package) { CIPipeline.trixie("script/package-check") }

  namespace :rails_app do
    apps = { "6.1" => [nil, "json"], "7.2" => [nil, "json"], "7.2-msgpack" => [nil, "message_pack"],
             "8.0" => ["v8.0.5.1", "json"], "8.0-msgpack" => ["v8.0.5.1", "message_pack"],
             "8.1" => ["v8.1.3.1", "json"], "8.1-msgpack" => ["v8.1.3.1", "message_pack"] }
    apps.each do |name, (tag, serializer)|
      desc "spec/rails_app with Devise 5.0.3 on Debian 13: load_defaults #{name.delete_suffix('-msgpack')}, " \
           "#{serializer} cookies#{tag ? ", Rails #{tag} from ../shared/rails" : ', Debian 13\'s Rails 7.2'}"
      task(name) do
        CIPipeline.unpack_trees(*CIPipeline::DEVISE_TREES, *tag && "rails-#{tag}")
        rails_lib = tag ? CIPipeline::RAILS_LIBS.map { |lib| "tmp/gems/rails-#{tag}/#{lib}/lib:" }.join : ""
        CIPipeline.trixie("rspec", "spec/rails_app",
                          env: { "RUBYLIB" => rails_lib + CIPipeline::DEVISE_LIB, "RAILSESS_RAILS_APP" => "1",
                                 "RAILSESS_LOAD_DEFAULTS" => name.delete_suffix("-msgpack"),
                                 "RAILSESS_COOKIES_SERIALIZER" => serializer })
      end
    end
  end

  desc "The demo with www on Rails 8.1.3.1 and api on Sinatra 4, in Chromium (bin/demo --rails 8.1)"
  task(:e2e) { CIPipeline.trixie("rspec", "spec/e2e", env: { "RAILSESS_E2E" => "1", "RAILSESS_DEMO_RAILS" => "8.1" }) }
end
