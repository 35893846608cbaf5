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
    scripts.each { |script| sh({ "RAILSESS_BENCH_JSON" => json }, "ruby", "-Ilib", script) }
    ruby "bench/report.rb", json
  end
end
