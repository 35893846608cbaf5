# frozen_string_literal: true

desc "Fuzz the core (cargo fuzz, FUZZ_SECONDS per target, default 60; seeded from the vectors) and " \
     "the Ruby side against ActiveSupport (RAILSESS_FUZZ_ITERATIONS mutations per target, default 20000)"
task fuzz: :compile do
  sh "cargo install cargo-fuzz --locked" unless system("cargo fuzz --version >/dev/null 2>&1")
  ruby "fuzz/seed_corpus.rb"
  seconds = ENV.fetch("FUZZ_SECONDS", "60")
  %w[decrypt www_form round_trip].each do |target|
    sh "cd fuzz && cargo +nightly fuzz run #{target} corpus/#{target} -- -max_total_time=#{seconds} -max_len=4096"
  end
  sh({ "RAILSESS_FUZZ_ITERATIONS" => ENV.fetch("RAILSESS_FUZZ_ITERATIONS", "20000") }, "rspec spec/fuzz")
end
