# frozen_string_literal: true

desc "Run every bench/*.rb (RAILSESS_BENCH_SMOKE=1 for a short smoke run)"
task bench: :compile do
  scripts = Dir["bench/*.rb"] - %w[bench/support.rb bench/report.rb bench/profile_decrypt.rb]
  puts "bench: no bench/*.rb yet" if scripts.empty?
  scripts.each { |script| ruby "-Ilib", script }
end

namespace :bench do
  desc "Run every benchmark and write bench/REPORT.md + bench/report.png (gnuplot)"
  task report: :compile do
    json = File.expand_path("../tmp/bench.json", __dir__)
    mkdir_p File.dirname(json)
    rm_f json
    scripts = Dir["bench/*.rb"] - %w[bench/support.rb bench/report.rb bench/profile_decrypt.rb]
    env = { "RAILSESS_BENCH_JSON" => json }
    # Unless set: 3 rounds of 1 s per side (best round kept), enough on a noisy 2-core VM.
    { "RAILSESS_BENCH_ROUNDS" => "3", "RAILSESS_BENCH_TIME" => "1", "RAILSESS_BENCH_WARMUP" => "0.5" }
      .each { |key, value| env[key] = ENV.fetch(key, value) }
    scripts.each { |script| sh(env, "ruby", "-Ilib", script) }
    ruby "bench/report.rb", json
  end
end
