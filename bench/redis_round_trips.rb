# frozen_string_literal: true

# Per request, on one Redis node this script starts: the Redis round trips, the Redis commands, and
# the time split into time inside the Redis client's calls (network + server) and the rest (Ruby:
# the middleware, the session, the serializer), for
#
# * Rails' ActionDispatch::Session::CacheStore over ActiveSupport::Cache::RedisCacheStore;
# * Railsess::Session::RedisStore, layout: :cache_store (Rails' keys and values);
# * Railsess::Session::RedisStore, layout: :redis_session_store (the redis-session-store gem's keys).
#   The gem itself (not packaged by Debian) reads with EXISTS and then GET: two round trips, where
#   railsess sends one GET; the line for the gem is its documented behaviour, not a measurement.
#
# Round trips are counted by a redis-client middleware (one per `call` or `call_pipelined`: a
# pipeline or MULTI is one; with redis 4.x, Debian 12's, per Redis::Client#process); commands by
# the server (INFO commandstats). The time is the mean over
# RAILSESS_BENCH_REDIS_REQUESTS requests (default 3000, 50 when smoke), each side's best of
# RAILSESS_BENCH_ROUNDS, all variants interleaved per round.
#
#   ruby -Ilib bench/redis_round_trips.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/redis_round_trips.rb

require_relative "session_stores"
require_relative "../spec/support/redis_topology"

module RedisRoundTripsBench
  REQUESTS = RailsessBench::SMOKE ? 50 : Integer(ENV.fetch("RAILSESS_BENCH_REDIS_REQUESTS", "3000"))
  IGNORED = %w[info cluster command ping select client hello].freeze

  # Counts every round trip redis-client makes, and the time spent in them.
  module Probe
    class << self
      attr_accessor :round_trips, :seconds
    end
    self.round_trips = 0
    self.seconds = 0.0

    def call(command, config)
      Probe.timed { super }
    end

    def call_pipelined(commands, config)
      Probe.timed { super }
    end

    # redis 4.x (Debian 12): every round trip goes through Redis::Client#process.
    module Redis4
      def process(commands)
        Probe.timed { super }
      end
    end

    def self.install
      if defined?(::RedisClient) && ::RedisClient.respond_to?(:register)
        ::RedisClient.register(self)
      elsif ::Redis::Client.method_defined?(:process)
        ::Redis::Client.prepend(Redis4)
      else
        abort "bench: no way to count this redis client's round trips"
      end
    end

    def self.timed
      t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      yield
    ensure
      self.seconds += Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
      self.round_trips += 1
    end
  end

  module_function

  def commands(node)
    stats = node.command("INFO", "commandstats").to_s
    stats.scan(/^cmdstat_(\w+):calls=(\d+)/).sum { |name, calls| IGNORED.include?(name) ? 0 : calls.to_i }
  end

  # One variant's numbers per request of `mode` over REQUESTS requests.
  def measure(node, app, template, mode)
    before_cmds = commands(node)
    trips = Probe.round_trips
    redis_s = Probe.seconds
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    REQUESTS.times { SessionStoresBench.request(app, template, mode) }
    total = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
    redis = Probe.seconds - redis_s
    { "round_trips" => (Probe.round_trips - trips).fdiv(REQUESTS),
      "commands" => (commands(node) - before_cmds).fdiv(REQUESTS),
      "total_us" => total * 1e6 / REQUESTS, "redis_us" => redis * 1e6 / REQUESTS,
      "ruby_us" => (total - redis) * 1e6 / REQUESTS }
  end

  def stacks(url)
    cache = ActiveSupport::Cache::RedisCacheStore.new(url: url, namespace: "bench")
    {
      "rails CacheStore" => SessionStoresBench.rails_stack(ActionDispatch::Session::CacheStore, cache: cache),
      "railsess cache_store layout" =>
        SessionStoresBench.railsess_stack(Railsess::Session::RedisStore, layout: :cache_store,
                                                                         redis: { url: url, namespace: "bench" }),
      "railsess redis_session_store layout" =>
        SessionStoresBench.railsess_stack(Railsess::Session::RedisStore, redis: { url: url, key_prefix: "bench:" },
                                                                         serializer: :json)
    }
  end

  # Each store's best round (fewest µs per request) of `mode`, the stores in a new order each round.
  def measure_mode(node, apps, mode)
    value = RailsessBench.devise_session.except("session_id")
    templates = apps.transform_values { |app| SessionStoresBench.signed_in_env(app, value) }
    apps.each { |who, app| 50.times { SessionStoresBench.request(app, templates[who], mode) } } # warmup
    best = {}
    RailsessBench::ROUNDS.times do |round|
      apps.to_a.shuffle(random: Random.new(round)).each do |who, app|
        m = measure(node, app, templates[who], mode)
        best[who] = m if best[who].nil? || m["total_us"] < best[who]["total_us"]
      end
    end
    best.map { |who, m| { "mode" => mode, "store" => who }.merge(m) }
  end

  def line(row)
    format("%<mode>-10s %<store>-36s round trips %<rt>.2f, commands %<c>.2f, %<t>.1f us per request: " \
           "Redis %<r>.1f us, Ruby %<ruby>.1f us", mode: row["mode"], store: row["store"], rt: row["round_trips"],
                                                   c: row["commands"], t: row["total_us"], r: row["redis_us"],
                                                   ruby: row["ruby_us"])
  end

  # The redis-session-store gem's own requests, from its source (lib/redis-session-store.rb 0.11):
  # find_session sends EXISTS then GET; write_session SET (SETEX with expire_after).
  GEM = { "read" => 2, "read+write" => 3 }.freeze

  def run
    puts RailsessBench.machine_line
    Probe.install
    topology = RedisTopology::Base.new
    node = topology.spawn_node
    rows = %w[read read+write].flat_map { |mode| measure_mode(node, stacks(node.url), mode) }
    rows.each { |r| puts line(r) }
    GEM.each { |mode, n| puts "#{mode.ljust(10)} redis-session-store gem (its source)    round trips #{n}" }
    RailsessBench.finish("redis_round_trips", "redis" => rows, "redis_session_store_gem" => GEM,
                                              "requests" => REQUESTS)
  ensure
    topology&.stop!
  end
end

RedisRoundTripsBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
