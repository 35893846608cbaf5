# frozen_string_literal: true

# Writes bench/REPORT.md and bench/report.png from benchmark runs' JSON (RAILSESS_BENCH_JSON), one
# file per platform (script/bench-report writes tmp/bench/<platform>.json):
#
#   rake bench:report      # script/bench-report: every platform's benchmarks, then this
#   ruby bench/report.rb tmp/bench/host.json tmp/bench/as81.json ...
#   (RAILSESS_BENCH_REPORT_DIR=DIR writes them to DIR instead of bench/)
#
# REPORT.md: a summary of every Rails 7.1+ message shape's ratio on each platform, then one section
# per platform (each line: both sides measured side by side in one process), with the goals of the
# performance issues and whether this run meets them. The chart (gnuplot, Debian's gnuplot-nox):
# the summary's ratios, one bar per platform, log scale. Nothing here is a test: the numbers are
# what this machine measured.
require "json"
require "open3"

module BenchReport
  # Goals on the Debian 12 platform (the first performance issue): ratio vs ActiveSupport 6.1 / Rails.
  LEGACY_GOALS = [
    [/\Adecrypt_and_verify gcm .*300 B|decrypt_and_verify gcm 2\d\d B/, 15.0],
    [/\Aencrypt_and_sign gcm .*300 B|encrypt_and_sign gcm 2\d\d B/, 15.0],
    [/\Adecrypt_and_verify gcm [23]\d{3} B/, 8.0],
    [/\Aencrypt_and_sign gcm [23]\d{3} B/, 8.0],
    [/\A(verify|generate) /, 10.0],
    [/\Acookie session (read|read\+write)\z/, 5.0]
  ].freeze
  # Issue #17 on Debian 13 (Ruby 3.3 + ActiveSupport 7.2 / 8.1): per shape, the Rack 3 store.
  MODERN_GOALS = [
    [/\A(decrypt_and_verify|verified) /, 6.0],
    [/\A(encrypt_and_sign|generate) /, 8.0],
    [/\Acookie session read\+write\z/, 6.0]
  ].freeze
  YJIT_GOALS = [[/\A(decrypt_and_verify|verified|encrypt_and_sign|generate) /, 4.0]].freeze
  MODERN_SCRIPTS = %w[rails_messages session_stores].freeze
  ALLOC_SHARE = 1.0 / 3 # #17: railsess allocates at most a third of ActiveSupport's objects per call
  FLOOR_GOAL = 1.5

  module_function

  # A platform's data: {"platform" => {...}, "<script>" => run, ...}; an old single-run file is "host".
  def platform(data)
    data.fetch("platform") { { "id" => "host", "title" => "Ruby #{machine(data)['ruby']}", "yjit" => false } }
  end

  def runs(data) = data.except("platform")

  def machine(data) = runs(data).values.first&.fetch("machine", {}) || {}

  def modern?(data) = platform(data)["id"] != "host"

  def goal_for(data, script, label)
    goals = if !modern?(data)
              LEGACY_GOALS
            elsif !MODERN_SCRIPTS.include?(script)
              []
            else
              platform(data)["yjit"] ? YJIT_GOALS : MODERN_GOALS
            end
    goals.find { |pattern, _| pattern.match?(label) }&.last
  end

  def rows(data)
    runs(data).flat_map do |script, run|
      run.fetch("results", []).map do |r|
        { script: script, label: r["label"], baseline: r["baseline"], baseline_ips: r["baseline_ips"],
          railsess_ips: r["railsess_ips"], ratio: r["ratio"], goal: goal_for(data, script, r["label"]),
          allocs: [r["baseline_allocs_per_call"], r["railsess_allocs_per_call"]],
          alloc_goal: modern?(data) && script == "rails_messages" }
      end
    end
  end

  def human(ips)
    ips >= 1000 ? format("%.1fk", ips / 1000.0) : format("%.0f", ips)
  end

  def short(data)
    p = platform(data)
    { "host" => "3.1 + AS 6.1", "as72" => "3.3 + AS 7.2", "as81" => "3.3 + AS 8.1",
      "yjit-as72" => "3.3 YJIT + AS 7.2", "yjit-as81" => "3.3 YJIT + AS 8.1" }.fetch(p["id"], p["id"])
  end

  # --- the summary across platforms ---------------------------------------------------------

  def shape_labels(platforms)
    platforms.flat_map { |d| Array(d.dig("rails_messages", "results")).map { |r| r["label"] } }.uniq
  end

  def ratio_of(data, script, label)
    Array(data.dig(script, "results")).find { |r| r["label"] == label }&.fetch("ratio")
  end

  def cell(value, goal)
    return "–" unless value

    text = format("%.2fx", value)
    goal && value < goal ? "#{text} ✗" : text
  end

  def summary(platforms)
    head = platforms.map { |d| short(d) }
    lines = ["## Summary: ratio vs ActiveSupport / Rails on each platform", "",
             "railsess i/s ÷ ActiveSupport i/s (from `bench/rails_messages.rb`, the ~300 B Devise session), and " \
             "for whole requests the Rails session's cost per request (Rails ÷ railsess) and Rack requests " \
             "(`bench/session_stores.rb`). ✗: below the goal (#17: decrypt/verify ≥ 6x, encrypt/generate ≥ 8x " \
             "on Ruby 3.3, ≥ 4x with YJIT; session cost ≥ 4x smaller, ≥ 3x with YJIT; Rack 3 cookie store " \
             "read+write ≥ 6x). Ruby 3.1 + AS 6.1 has no 7.1+ forms (–).", "",
             "| shape / call | #{head.join(' | ')} |", "| --- |#{' ---: |' * head.size}"]
    shape_labels(platforms).each do |label|
      cells = platforms.map { |d| cell(ratio_of(d, "rails_messages", label), goal_for(d, "rails_messages", label)) }
      lines << "| #{label} | #{cells.join(' | ')} |"
    end
    lines.concat(request_summary(platforms)) << ""
  end

  def request_summary(platforms)
    lines = [allocation_summary(platforms)]
    %w[read read+write].each do |mode|
      label = "cookie session #{mode}"
      cells = platforms.map { |d| cell(ratio_of(d, "session_stores", label), goal_for(d, "session_stores", label)) }
      lines << "| Rack: #{label} (Rails' CookieStore vs Railsess::Session::CookieStore) | #{cells.join(' | ')} |"
    end
    cells = platforms.map do |d|
      cost = d.dig("rails_session", "session_cost")
      cost ? cell(cost["ratio"], cost_goal(d)) : "–"
    end
    lines << "| Rails app: session cost per request, times smaller | #{cells.join(' | ')} |"
  end

  def session_goal(data) = platform(data)["yjit"] ? 3.0 : 4.0

  # The session-cost goal: #17's on Debian 13, the first issue's 3x on Ruby 3.1 + 6.1.
  def cost_goal(data) = modern?(data) ? session_goal(data) : 3.0

  def allocation_summary(platforms)
    cells = platforms.map do |d|
      rows = Array(d.dig("rails_messages", "results"))
      next "–" if rows.empty?

      met = rows.count { |r| r["railsess_allocs_per_call"] <= r["baseline_allocs_per_call"] * ALLOC_SHARE }
      "#{met}/#{rows.size}"
    end
    "| shapes allocating ≤ 1/3 of ActiveSupport's objects per call | #{cells.join(' | ')} |"
  end

  # --- one platform ---------------------------------------------------------------------------

  def section(data)
    loads = runs(data).map { |script, run| "#{script} #{run.dig('machine', 'loadavg')}" }.join(", ")
    lines = ["## #{platform(data)['title']}", "", "#{machine_text(data)} #{rounds(data)}", "",
             "Load average when each script started: #{loads}.", "",
             "| script | benchmark | baseline i/s | railsess i/s | ratio | goal | allocs/call (baseline / railsess) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    rows(data).each { |r| lines << row(r) }
    lines.concat(session_cost(data))
    lines.concat(redis(data["redis_round_trips"]))
    lines.concat(native_floor(data.dig("native_floor", "floor")))
    lines << ""
  end

  def machine_text(data)
    m = machine(data)
    p = platform(data)
    took = p["seconds"] ? format(" The platform's run took %.0f s.", p["seconds"]) : ""
    "#{m['cpu']} (#{m['nproc']} cores), #{m['ruby']}#{p['yjit'] ? ' with --yjit' : ''}, ActiveSupport " \
      "#{m['activesupport']}, OpenSSL #{m['openssl']}, json #{m['json']}.#{took}"
  end

  def rounds(data)
    run = runs(data).values.first || {}
    return "Smoke run: the numbers mean nothing." if run["smoke"]

    "Each side: #{run['time']} s per report after #{run['warmup']} s of warmup, best of #{run['rounds'] || 1} " \
      "round(s) with alternating order (interference only ever slows a run down)."
  end

  def row(result)
    goal = ""
    goal = "#{result[:goal]}x #{result[:ratio] >= result[:goal] ? 'met' : 'not met'}" if result[:goal]
    allocs = result[:allocs].map { |a| a ? format("%.1f", a) : "-" }.join(" / ")
    if result[:alloc_goal] && result[:allocs].all?
      allocs += result[:allocs][1] <= result[:allocs][0] * ALLOC_SHARE ? " (≤ 1/3)" : " (> 1/3 ✗)"
    end
    "| #{result[:script]} | #{result[:label]} | #{human(result[:baseline_ips])} | #{human(result[:railsess_ips])} | " \
      "#{format('%.2f', result[:ratio])}x | #{goal} | #{allocs} |"
  end

  def session_cost(data)
    cost = data.dig("rails_session", "session_cost")
    return [] unless cost

    goal = cost_goal(data)
    requests = (cost["requests_us"] || {}).map { |name, t| format("%<n>s %<t>.1f", n: name, t: t) }.join(", ")
    ["", format("Rails session cost per request (with minus without the session; bench/rails_session.rb, " \
                "`load_defaults` of the loaded Rails, the four variants interleaved over %<rounds>s rounds, mean µs " \
                "per request: %<requests>s): Rails %<r>.1f µs, with railsess %<o>.1f µs: **%<x>.2fx smaller** " \
                "(goal %<g>sx %<met>s); the whole request with the session %<w>.2fx faster.",
                rounds: cost["rounds"] || "?", requests: requests, r: cost["rails_us"], o: cost["railsess_us"],
                x: cost["ratio"], g: goal, met: cost["ratio"] >= goal ? "met" : "not met",
                w: cost["request_ratio"] || 0)]
  end

  def redis(run)
    return [] unless run && run["redis"]

    lines = ["", "Redis sessions per request (bench/redis_round_trips.rb, one local redis-server, mean over " \
                 "#{run['requests']} requests, best of the rounds): round trips counted in the client, commands " \
                 "by the server; Redis µs is time inside the client's calls, Ruby µs the rest of the request.", "",
             "| request | store | round trips | commands | µs per request | Redis µs | Ruby µs |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    run["redis"].each do |r|
      lines << format("| %<m>s | %<s>s | %<rt>.2f | %<c>.2f | %<t>.1f | %<r>.1f | %<ruby>.1f |",
                      m: r["mode"], s: r["store"], rt: r["round_trips"], c: r["commands"], t: r["total_us"],
                      r: r["redis_us"], ruby: r["ruby_us"])
    end
    (run["redis_session_store_gem"] || {}).each do |mode, n|
      lines << "| #{mode} | the redis-session-store gem (EXISTS + GET, then SET; from its source) | #{n} | #{n} | " \
               "| | |"
    end
    lines
  end

  # bench/native_floor.rb: through Ruby vs the core alone (criterion) + the Ruby objects + the bare call.
  def native_floor(rows)
    return [] unless rows && !rows.empty?

    floor = rows.first["floor_us"]
    intro = "Core: the same operation in Rust alone (criterion, `ext/railsess-core/benches/core.rs`; the JSON " \
            "parsed into a serde_json tree where Ruby gets its Hash). Objects: Ruby building the same value from " \
            "a literal (reads only). Call: Ruby's bare call into the extension (`Native.call_floor`): " \
            "#{format('%.3f', floor)} µs. Goal (#17): through Ruby at most #{FLOOR_GOAL}x (core + objects + call)."
    lines = ["", "Through Ruby vs the floor (bench/native_floor.rb). #{intro}", "",
             "| operation | core µs | objects µs | through Ruby µs | Ruby / floor | goal |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    rows.each do |r|
      goal = r["goal"] || FLOOR_GOAL
      lines << format("| %<op>s | %<core>.2f | %<obj>.2f | %<ruby>.2f | %<ratio>.2fx | <= %<goal>.1fx %<met>s |",
                      op: r["operation"], core: r["core_us"], obj: r["objects_us"] || 0, ruby: r["ruby_us"],
                      ratio: r["ratio"], goal: goal, met: r["ratio"] <= goal ? "met" : "not met")
    end
    lines
  end

  # --- the report -------------------------------------------------------------------------------

  def markdown(platforms, chart)
    lines = ["# railsess benchmark report", "",
             "Generated by `rake bench:report` (script/bench-report, then bench/report.rb) from one run of the " \
             "benchmarks on each platform, on one machine: each line compares railsess with ActiveSupport (or " \
             "Rails / OpenSSL) measured side by side in one process with benchmark-ips; ratio = railsess i/s ÷ " \
             "baseline i/s. Compare ratios within a platform's run; absolute i/s move with the machine's load.", ""]
    lines.concat(summary(platforms))
    lines << "![ratios](#{File.basename(chart)})" << "" if chart
    platforms.each { |data| lines.concat(section(data)) }
    "#{lines.join("\n")}\n"
  end

  COLORS = %w[#999999 #4477aa #228833 #66ccee #ccbb44].freeze

  def chart(platforms, png)
    return nil unless system("command -v gnuplot >/dev/null 2>&1")

    labels = shape_labels(platforms)
    return nil if labels.empty?

    _out, err, status = Open3.capture3("gnuplot", stdin_data: gnuplot_script(platforms, labels, png))
    warn "bench/report: gnuplot failed: #{err}" unless status.success?
    status.success? ? png : nil
  end

  def chart_data(platforms, labels)
    labels.each_with_index.map do |label, i|
      ratios = platforms.map { |d| ratio_of(d, "rails_messages", label) || "NaN" }
      "#{i} \"#{label.tr('"', "'")}\" #{ratios.join(' ')}"
    end.join("\n")
  end

  # One bar per platform around each shape's y, clustered.
  def chart_plots(platforms)
    width = 0.8 / platforms.size
    platforms.each_with_index.map do |d, j|
      offset = (j - ((platforms.size - 1) / 2.0)) * width
      "$data using #{j + 3}:($1+#{offset}):(0):#{j + 3}:($1+#{offset - (width / 2)}):($1+#{offset + (width / 2)}) " \
        "with boxxyerror lc rgb \"#{COLORS[j % COLORS.size]}\" title \"#{short(d)}\""
    end
  end

  def gnuplot_script(platforms, labels, png)
    tics = labels.each_with_index.map { |label, i| "\"#{label.tr('"', "'")}\" #{i}" }.join(", ")
    <<~GNUPLOT
      set terminal png noenhanced size 1400,#{[500, (labels.size * 60) + 160].max} font ",10"
      set output "#{png}"
      set title "railsess vs ActiveSupport, every Rails 7.1+ message shape (ratio of i/s, log scale; 1 = same speed)"
      set style fill solid 0.85
      set logscale x 2
      set xrange [0.5:32]
      set yrange [#{labels.size - 0.4}:-0.6]
      set ytics nomirror (#{tics})
      set grid xtics
      set key outside right top vertical
      # #17's goals: 4x (YJIT), 6x (reads), 8x (writes)
      set arrow from 4, graph 0 to 4, graph 1 nohead dt 3 lc rgb "#888888"
      set arrow from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#cc3311"
      set arrow from 8, graph 0 to 8, graph 1 nohead dt 2 lc rgb "#cc3311"
      $data << EOD
      #{chart_data(platforms, labels)}
      EOD
      plot #{chart_plots(platforms).join(", \\\n     ")}
    GNUPLOT
  end

  def run(json_paths, dir = __dir__)
    platforms = json_paths.map { |path| JSON.parse(File.read(path)) }
    png = chart(platforms, File.join(dir, "report.png"))
    File.write(File.join(dir, "REPORT.md"), markdown(platforms, png))
    puts "bench/report: #{platforms.size} platform(s) -> #{File.join(dir, 'REPORT.md')}#{png ? " and #{png}" : ''}"
  end
end

if $PROGRAM_NAME == __FILE__
  abort "usage: ruby bench/report.rb RESULTS.json..." if ARGV.empty?
  BenchReport.run(ARGV, ENV.fetch("RAILSESS_BENCH_REPORT_DIR", __dir__))
end
