# frozen_string_literal: true

desc "Run every bench/*.rb (RAILSESS_BENCH_SMOKE=1 for a short smoke run)"
task bench: :compile do
  scripts = Dir["bench/*.rb"] - %w[bench/support.rb bench/report.rb bench/profile_decrypt.rb]
  puts "bench: no bench/*.rb yet" if scripts.empty?
  scripts.each { |script| ruby "-Ilib", script }
end

namespace :bench do
  desc "Benchmarks on every platform (host; Debian 13: Ruby 3.3 + AS 7.2 / 8.1, with and without YJIT) " \
       "and bench/REPORT.md + bench/report.png (RAILSESS_BENCH_PLATFORMS=host,as81 for a subset)"
  task :report do
    ruby "script/bench-report"
  end

  desc "Debian 13's Ruby 3.3 + Rails 8.1 platform of bench:report as a smoke run (under a minute; " \
       "RAILSESS_BENCH_PLATFORMS=yjit-as81 for the YJIT one)"
  task :trixie_smoke do
    sh({ "RAILSESS_BENCH_SMOKE" => "1", "RAILSESS_BENCH_PLATFORMS" => ENV.fetch("RAILSESS_BENCH_PLATFORMS", "as81") },
       "ruby", "script/bench-report")
  end
end
