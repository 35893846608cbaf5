# frozen_string_literal: true

# Bytes valgrind reports "definitely lost" that the extension itself allocated (the first frame
# under the allocator is in railsess.so). Ruby's own objects are not counted: Ruby does not free
# every object's buffer at exit, so its count varies with the garbage left when the process ends.
def railsess_lost_bytes(log)
  File.read(log).split(/\n==\d+== \n/).sum do |record|
    lost = record[/([\d,]+) bytes in [\d,]+ blocks are definitely lost/, 1] or next 0
    frames = record.lines.grep(/ (at|by) 0x/)
    frames[1].to_s.include?("railsess.so") ? lost.delete(",").to_i : 0
  end
end

desc "Leak check: script/leak_check.rb under valgrind with VALGRIND_N (default 100000) and a tenth " \
     "of that; fails if memory the extension allocated is definitely lost"
task valgrind: :compile do
  n = Integer(ENV.fetch("VALGRIND_N", "100000"))
  mkdir_p "tmp"
  results = [n / 10, n].map do |rounds|
    log = "tmp/valgrind-#{rounds}.log"
    sh "valgrind --leak-check=full --show-leak-kinds=definite --log-file=#{log} ruby script/leak_check.rb #{rounds}"
    total = File.read(log)[/definitely lost: ([\d,]+) bytes/, 1].to_s.delete(",").to_i
    ours = railsess_lost_bytes(log)
    puts "valgrind: #{rounds} rounds: definitely lost #{ours} bytes allocated by railsess.so " \
         "(#{total} in total, Ruby's objects included; #{log})"
    ours
  end
  abort "valgrind: memory allocated by railsess is definitely lost: #{results.inspect}" if results.any?(&:positive?)
end
