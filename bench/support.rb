# frozen_string_literal: true

# Shared helpers for bench/*.rb: Railsess vs ActiveSupport, side by side, in one process.
#
#   RailsessBench.compare("decrypt_and_verify gcm 300B") do |x|
#     x.report("activesupport decrypt_and_verify") { as.decrypt_and_verify(as_msg, purpose: p) }
#     x.report("railsess decrypt_and_verify") { rs.decrypt_and_verify(rs_msg, purpose: p) }
#   end
#
# prints `label | baseline i/s | railsess i/s | ratio | allocs/call`, ratio = railsess i/s / baseline i/s
# (> 1 means railsess is faster). The report whose label starts with "railsess" is the candidate;
# the other one is the baseline (ActiveSupport, or plain OpenSSL where ActiveSupport has no equivalent).
#
# Environment:
#   RAILSESS_BENCH_SMOKE=1       tiny warmup/time (0.05 s / 0.1 s): proves the scripts run, measures nothing
#   RAILSESS_BENCH_TIME=S        seconds measured per report (default: benchmark-ips' 5)
#   RAILSESS_BENCH_WARMUP=S      seconds of warmup per report (default: benchmark-ips' 2)
#   RAILSESS_BENCH_ROUNDS=N      run each comparison N times, alternating which side goes first, and
#                                keep each side's fastest round (default 1). On a shared machine
#                                interference only ever slows a run down: the best round is the
#                                closest to the code's own speed, for both sides alike.
#   RAILSESS_BENCH_JSON=PATH     also write the results as JSON to PATH, merged per script
#
# No timing assertions anywhere: a run fails only if the two implementations disagree.

lib = File.expand_path("../lib", __dir__)
$LOAD_PATH.unshift(lib) unless $LOAD_PATH.include?(lib)

require "benchmark/ips"
require "etc"
require "json"
require "time"
require "active_support"
require "active_support/key_generator"
require "active_support/message_encryptor"
require "active_support/message_verifier"
require "railsess"

module RailsessBench
  SMOKE = !ENV.fetch("RAILSESS_BENCH_SMOKE", "").empty?
  WARMUP = SMOKE ? 0.05 : Float(ENV.fetch("RAILSESS_BENCH_WARMUP", "2"))
  TIME = SMOKE ? 0.1 : Float(ENV.fetch("RAILSESS_BENCH_TIME", "5"))
  ALLOC_CALLS = SMOKE ? 100 : 10_000
  ROUNDS = SMOKE ? 1 : Integer(ENV.fetch("RAILSESS_BENCH_ROUNDS", "1"))
  JSON_PATH = ENV.fetch("RAILSESS_BENCH_JSON", nil)
  SECRET_KEY_BASE = ("a1b2c3d4e5f60718" * 8).freeze # 128 hex chars, like `rails secret`

  # Stands in for benchmark-ips' job inside `compare`: remembers each report's block (to count its
  # allocations afterwards) and passes everything to the real job.
  class JobRecorder
    attr_reader :blocks

    def initialize(job)
      @job = job
      @blocks = {}
    end

    def report(label, &block)
      raise ArgumentError, "bench: report #{label.inspect} needs a block with no arguments" if block.arity.positive?

      @blocks[label] = block
      @job.report(label, &block)
    end

    def respond_to_missing?(name, include_private = false)
      @job.respond_to?(name, include_private) || super
    end

    def method_missing(name, ...)
      @job.respond_to?(name) ? @job.public_send(name, ...) : super
    end
  end

  module_function

  def results
    @results ||= []
  end

  # Runs the block's two reports with benchmark-ips, prints a table line and records the result.
  def compare(label)
    header
    recorder = nil
    report = Benchmark.ips(time: TIME, warmup: WARMUP, quiet: SMOKE) do |job|
      recorder = JobRecorder.new(job)
      yield recorder
    end
    entries = report.entries
    (ROUNDS - 1).times do |round|
      order = round.even? ? recorder.blocks.to_a.reverse : recorder.blocks.to_a
      again = Benchmark.ips(time: TIME, warmup: WARMUP, quiet: SMOKE) do |job|
        order.each { |name, block| job.report(name, &block) }
      end
      entries = fastest(entries + again.entries)
    end
    record(label, entries, recorder.blocks)
  end

  # Each label's fastest entry, in first-seen order.
  def fastest(entries)
    entries.group_by(&:label).map { |_label, runs| runs.max_by(&:ips) }
  end

  def record(label, entries, blocks)
    candidate, baseline = split_entries(label, entries)
    result = {
      "label" => label,
      "baseline" => baseline.label, "baseline_ips" => baseline.ips, "baseline_ips_sd" => baseline.ips_sd,
      "railsess" => candidate.label, "railsess_ips" => candidate.ips, "railsess_ips_sd" => candidate.ips_sd,
      "ratio" => candidate.ips / baseline.ips,
      "baseline_allocs_per_call" => allocations_per_call(blocks.fetch(baseline.label), baseline.ips),
      "railsess_allocs_per_call" => allocations_per_call(blocks.fetch(candidate.label), candidate.ips)
    }
    results << result
    puts table_line(result)
    result
  end

  def split_entries(label, entries)
    candidate = entries.find { |e| e.label.start_with?("railsess") }
    baseline = entries.find { |e| !e.equal?(candidate) }
    unless candidate && baseline && entries.size == 2
      raise ArgumentError, "bench #{label}: need exactly one \"railsess ...\" report and one baseline report"
    end

    [candidate, baseline]
  end

  # Objects allocated per call (GC.stat delta), over 10_000 calls or ~0.25 s, whichever is fewer.
  def allocations_per_call(block, ips)
    calls = [[ALLOC_CALLS, (ips * 0.25).ceil].min, 1].max
    block.call # anything lazily built on the first call is not counted
    before = GC.stat(:total_allocated_objects)
    calls.times { block.call }
    (GC.stat(:total_allocated_objects) - before).fdiv(calls)
  end

  def header
    return if @header_printed

    @header_printed = true
    puts machine_line
    puts "smoke mode: #{WARMUP}s warmup, #{TIME}s per report; the numbers mean nothing" if SMOKE
    puts
  end

  def table_line(result)
    format("%-46<label>s | %<base>s | %<rs>s | %<ratio>6.2fx | allocs/call %<ba>.1f vs %<ra>.1f",
           label: result["label"],
           base: format_ips(result["baseline"], result["baseline_ips"]),
           rs: format_ips("railsess", result["railsess_ips"]),
           ratio: result["ratio"],
           ba: result["baseline_allocs_per_call"], ra: result["railsess_allocs_per_call"])
  end

  def format_ips(who, ips)
    format("%-8<who>s %12<ips>s i/s", who: who.split.first.sub("activesupport", "AS"), ips: human(ips))
  end

  def human(number)
    if number >= 1_000_000
      format("%.2fM", number / 1_000_000.0)
    elsif number >= 10_000
      format("%.1fk", number / 1_000.0)
    else
      format("%.2f", number)
    end
  end

  def summary
    return if results.empty?

    puts
    puts "| benchmark | baseline i/s | railsess i/s | ratio | allocs/call (baseline / railsess) |"
    puts "| --- | ---: | ---: | ---: | ---: |"
    results.each do |r|
      puts format("| %<l>s | %<b>s | %<r>s | %<x>.2fx | %<ba>.1f / %<ra>.1f |",
                  l: r["label"], b: human(r["baseline_ips"]), r: human(r["railsess_ips"]), x: r["ratio"],
                  ba: r["baseline_allocs_per_call"], ra: r["railsess_allocs_per_call"])
    end
  end

  # Prints the summary and, with RAILSESS_BENCH_JSON, merges this script's results into that file.
  def finish(script, extra = {})
    summary
    write_json(script, extra) if JSON_PATH && !JSON_PATH.empty?
  end

  def write_json(script, extra)
    data = File.exist?(JSON_PATH) ? JSON.parse(File.read(JSON_PATH)) : {}
    data = {} unless data.is_a?(Hash)
    data[script] = { "machine" => machine, "smoke" => SMOKE, "warmup" => WARMUP, "time" => TIME, "rounds" => ROUNDS,
                     "recorded_at" => Time.now.utc.iso8601, "results" => results }.merge(extra)
    tmp = "#{JSON_PATH}.#{Process.pid}.tmp"
    File.write(tmp, "#{JSON.pretty_generate(data)}\n")
    File.rename(tmp, JSON_PATH)
  end

  def machine
    @machine ||= {
      "nproc" => Etc.nprocessors,
      "cpu" => cpu_model,
      "ruby" => RUBY_DESCRIPTION,
      "activesupport" => ActiveSupport::VERSION::STRING,
      "railsess" => Railsess::VERSION,
      "benchmark_ips" => Benchmark::IPS::VERSION,
      "openssl" => OpenSSL::OPENSSL_LIBRARY_VERSION,
      "json" => ::JSON::VERSION,
      "loadavg" => loadavg
    }
  end

  def machine_line
    m = machine
    "#{m['cpu']} x#{m['nproc']} | #{m['ruby']} | activesupport #{m['activesupport']} | " \
      "railsess #{m['railsess']} | loadavg #{m['loadavg']}"
  end

  def cpu_model
    File.foreach("/proc/cpuinfo") { |line| return line.split(":", 2).last.strip if line.start_with?("model name") }
    RUBY_PLATFORM
  rescue SystemCallError
    RUBY_PLATFORM
  end

  def loadavg
    File.read("/proc/loadavg").split.first(3).join(" ")
  rescue SystemCallError
    "?"
  end

  # The benchmark refuses to run when the implementations disagree.
  def assert_same!(what, expected, actual)
    return if expected == actual && actual.instance_of?(expected.class)

    abort "bench: #{what} differ, refusing to benchmark:\n  expected #{expected.inspect}\n  got      #{actual.inspect}"
  end

  # A lambda whose body is a literal of `value`: it allocates exactly the objects a parse returns
  # (new Strings, Arrays, Hashes; Hash keys are literal, so interned, as the core's are). The floor
  # of a read in native_floor.rb and profile_decrypt.rb.
  def literal_builder(value)
    eval("-> { #{literal(value)} }", binding, __FILE__, __LINE__) # rubocop:disable Security/Eval
  end

  def literal(value)
    case value
    when Hash then "{ #{value.map { |k, v| "#{k.inspect}.freeze => #{literal(v)}" }.join(', ')} }"
    when Array then "[#{value.map { |v| literal(v) }.join(', ')}]"
    else value.inspect # Strings too: a new String each time, eval'd code has no frozen literals
    end
  end

  # --- fixtures -------------------------------------------------------------------------------

  # A Devise session as Rails' cookie store holds it, about 300 bytes of JSON.
  def devise_session
    {
      "session_id" => "5f0c2b1d9a7e4c3b8f6a2d1e0c9b8a7f",
      "_csrf_token" => "k3XqN8v2Lq0mY7pR4tW9zB1cD6eF5gH2iJ8kL0mN3oQ=",
      "warden.user.user.key" => [[1], "$2a$12$Xr4KpQ7vN2mL9sT1wZ3bYe"],
      "warden.user.user.session" => { "last_request_at" => 1_700_000_000 },
      "flash" => { "discard" => [], "flashes" => { "notice" => "Signed in successfully." } }
    }
  end

  # The same session carrying ~3 KB: a cart and recently viewed items, as apps do put in sessions.
  def large_session
    session = devise_session
    session["cart"] = (1..20).map do |i|
      { "sku" => format("SKU-%06d", i * 7919), "qty" => (i % 3) + 1, "price_cents" => 1999 + (i * 250),
        "name" => "Product number #{i} with a longer name" }
    end
    session["recently_viewed"] = (1..80).map { |i| 100_000 + (i * 37) }
    session["search"] = { "q" => "blue running shoes size 44",
                          "filters" => { "brand" => %w[acme zenith], "price" => [20, 120] } }
    session["utm"] = { "source" => "newsletter", "medium" => "email", "campaign" => "black-friday-2023" }
    session
  end

  def json_size(value)
    ::JSON.generate(value).bytesize
  end

  # "299 B JSON": how benchmark labels name a value's size.
  def size_tag(value)
    "#{json_size(value)} B JSON"
  end
end
