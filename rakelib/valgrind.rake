# frozen_string_literal: true

desc "Leak check: script/leak_check.rb under valgrind with N=VALGRIND_N (default 100000) and N/10 " \
     "rounds; fails if the definitely-lost bytes grow with N"
task valgrind: :compile do
  n = Integer(ENV.fetch("VALGRIND_N", "100000"))
  lost = [n / 10, n].map do |rounds|
    log = "tmp/valgrind-#{rounds}.log"
    mkdir_p "tmp"
    sh "valgrind --leak-check=full --show-leak-kinds=definite --log-file=#{log} " \
       "ruby script/leak_check.rb #{rounds}"
    bytes = File.read(log)[/definitely lost: ([\d,]+) bytes/, 1].to_s.delete(",").to_i
    puts "valgrind: #{rounds} rounds: definitely lost #{bytes} bytes (#{log})"
    bytes
  end
  abort "valgrind: definitely-lost memory grows with the operations: #{lost.inspect}" if lost.last > lost.first
end
