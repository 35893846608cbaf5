# frozen_string_literal: true

# How close the Ruby API runs to the core's own speed: for each hot operation, its cost through
# Ruby (Railsess::MessageEncryptor / MessageVerifier, benchmark-ips) against the floor (#17): the
# core doing the same work with no Ruby at all (criterion, ext/railsess-core/benches/core.rs: the
# JSON parsed into a serde_json tree where Ruby gets its Hash), plus Ruby building the same objects
# (for a read: the session Hash from a literal, which allocates exactly the Strings, Arrays and
# Hashes a parse returns), plus Ruby's bare call into the extension (Native.call_floor, an empty
# native method with one argument). Goal: through Ruby at most 1.5x the floor. The gap is what Ruby
# costs beyond that: the keyword arguments, the Ruby-level checks, the glue.
#
#   ruby -Ilib bench/native_floor.rb                # runs `cargo bench -p railsess-core --bench core` first
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/native_floor.rb
#
# Same session fixtures as every other benchmark (bench/fixtures/*.json, checked against
# RailsessBench's values below).

require "shellwords"
require_relative "support"
require_relative "message_encryptor"

module NativeFloorBench
  PURPOSE = EncryptorBench::PURPOSE
  ROOT = File.expand_path("..", __dir__)
  GOAL = 1.5

  module_function

  def fixture(name, value)
    json = File.read(File.join(__dir__, "fixtures", "#{name}.json"))
    RailsessBench.assert_same!("bench/fixtures/#{name}.json vs RailsessBench", JSON.generate(value), json)
    JSON.parse(json)
  end

  # Criterion's mean for every core benchmark, in µs, keyed "group/name".
  def core_estimates
    times = if RailsessBench::SMOKE
              %w[--warm-up-time 0.05 --measurement-time 0.1]
            else
              %w[--warm-up-time 1 --measurement-time 3]
            end
    cmd = %w[cargo bench --locked -p railsess-core --bench core --] + times
    puts "$ #{cmd.shelljoin}"
    quiet = RailsessBench::SMOKE ? { out: File::NULL, err: File::NULL } : {}
    system(*cmd, chdir: ROOT, **quiet) || abort("bench: cargo bench failed")
    dir = File.join(ENV.fetch("CARGO_TARGET_DIR", File.join(ROOT, "target")), "criterion")
    Dir[File.join(dir, "*", "*", "new", "estimates.json")].to_h do |path|
      id = JSON.parse(File.read(File.join(File.dirname(path), "benchmark.json"))).fetch("full_id")
      [id, JSON.parse(File.read(path)).dig("mean", "point_estimate") / 1000.0]
    end
  end

  # µs per call through Ruby: benchmark-ips, each side's best round (RAILSESS_BENCH_ROUNDS).
  def ruby_us(label, &)
    best = Array.new(RailsessBench::ROUNDS) do
      report = Benchmark.ips(time: RailsessBench::TIME, warmup: RailsessBench::WARMUP, quiet: true) do |x|
        x.report(label, &)
      end
      report.entries.first.ips
    end.max
    1_000_000.0 / best
  end

  def operations
    small = fixture("devise_session", RailsessBench.devise_session)
    large = fixture("large_session", RailsessBench.large_session)
    _as, crypt = EncryptorBench.encryptors("aes-256-gcm")
    ops = [small, large].flat_map do |value|
      size = "#{JSON.generate(value).bytesize} B"
      message = crypt.encrypt_and_sign(value, purpose: PURPOSE)
      RailsessBench.assert_same!("round trip #{size}", value, crypt.decrypt_and_verify(message, purpose: PURPOSE))
      [["encryptor/decrypt_and_verify gcm #{size} JSON", -> { crypt.decrypt_and_verify(message, purpose: PURPOSE) },
        value],
       ["encryptor/encrypt_and_sign gcm #{size} JSON", -> { crypt.encrypt_and_sign(value, purpose: PURPOSE) }]]
    end
    %w[SHA1 SHA256].each do |digest|
      verifier = Railsess::MessageVerifier.new("s" * 64, digest: digest, serializer: JSON)
      message = verifier.generate(small, purpose: PURPOSE)
      ops << ["verifier/verify #{digest} 299 B JSON", -> { verifier.verify(message, purpose: PURPOSE) }, small]
      ops << ["verifier/generate #{digest} 299 B JSON", -> { verifier.generate(small, purpose: PURPOSE) }]
    end
    ops
  end

  # µs for Ruby to build `value` from a literal: the objects a read returns, nothing else.
  def objects_us(id, value)
    build = RailsessBench.literal_builder(value)
    RailsessBench.assert_same!("#{id}: the literal", value, build.call)
    ruby_us("#{id} objects", &build)
  end

  def run
    puts RailsessBench.machine_line
    core = core_estimates
    floor_arg = "x"
    floor = ruby_us("Native.call_floor") { Railsess::Native.call_floor(floor_arg) }
    puts format("Ruby's call into the extension (Native.call_floor): %.3f µs", floor)
    puts format("%<op>-44s %<core>9s %<obj>9s %<ruby>9s %<ratio>9s   (Ruby / (core + objects + call), " \
                "goal <= %<goal>sx)",
                op: "operation", core: "core µs", obj: "objects", ruby: "Ruby µs", ratio: "ratio", goal: GOAL)
    rows = operations.map do |id, block, result|
      core_us = core.fetch(id) { abort "bench: no criterion result for #{id}" }
      objects_us = result ? objects_us(id, result) : 0.0
      through_ruby = ruby_us(id, &block)
      ratio = through_ruby / (core_us + objects_us + floor)
      puts format("%<op>-44s %<core>9.2f %<obj>9.2f %<ruby>9.2f %<ratio>8.2fx", op: id, core: core_us, obj: objects_us,
                                                                                ruby: through_ruby, ratio: ratio)
      { "operation" => id, "core_us" => core_us, "objects_us" => objects_us, "floor_us" => floor,
        "ruby_us" => through_ruby, "ratio" => ratio, "goal" => GOAL }
    end
    RailsessBench.finish("native_floor", "floor" => rows)
  end
end

NativeFloorBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
