# frozen_string_literal: true

desc "Run every bench/*.rb (RAILSESS_BENCH_SMOKE=1 for a short smoke run)"
task bench: :compile do
  scripts = Dir["bench/*.rb"]
  puts "bench: no bench/*.rb yet" if scripts.empty?
  scripts.each { |script| ruby "-Ilib", script }
end
