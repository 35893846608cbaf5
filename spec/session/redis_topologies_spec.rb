# frozen_string_literal: true

require "railsess/session/redis_store"

# Sessions on the Redis deployments Rails shops grow into, each started by the suite
# (spec/support/redis_topology.rb): Redis Cluster, Redis::Distributed (RedisCacheStore given
# several URLs) and a Sentinel-managed primary/replica pair with a failover. railsess and Rails
# must find the same key on the same node, and no acknowledged session may be lost.
RSpec.describe "Redis deployments", :redis, kind: :integration do
  def private_id(id) = RedisStoreApps.private_id(id)

  def sign_in(apps, user = "ann")
    _, id = apps.call("/set", json: { "user" => user })
    expect(id).to match(/\A\h{32}\z/)
    id
  end

  before(:all) { skip "redis-cli / redis-server not installed" unless RedisTopology.available? }

  describe "Redis Cluster (3 primaries, 3 replicas)" do
    before(:all) { @cluster = RedisTopology::Cluster.new if RedisTopology.available? }
    after(:all) { @cluster&.stop! }

    let(:cluster) { @cluster }
    let(:client) { RedisTopology.cluster_client(cluster.urls) }

    before do
      cluster.primaries.each { |node| node.command("FLUSHALL") }
    end

    variants = RedisStoreApps::KINDS.product(%i[redis_session_store cache_store], %i[options client])
    variants.each do |kind, layout, given|
      context "#{kind} store, #{layout} layout, #{given == :client ? 'a ready cluster client' : 'redis: { cluster: }'}",
              *(kind == :rails ? [:active_support] : []) do
        let(:prefix) { layout == :cache_store ? "_session_id:" : "" }
        let(:apps) do
          redis = given == :client ? { client: client } : { cluster: cluster.urls }
          RedisStoreApps.new(kind, layout: layout, redis: redis)
        end

        it "reads, writes, renews and signs out, one key per command where slots differ" do
          id = sign_in(apps)
          expect(client.get("#{prefix}#{private_id(id)}")).not_to be_nil
          expect(apps.call("/cart", cookie: id).first).to eq("user" => "ann", "cart" => [1])
          _, fresh = apps.call("/renew", cookie: id)
          expect(apps.call("/", cookie: fresh).first).to eq("user" => "ann", "cart" => [1])
          expect(apps.call("/", cookie: id).first).to eq({})
          apps.call("/sign_out", cookie: fresh)
          expect(apps.call("/", cookie: fresh).first).to eq({})
        end

        it "reads a session under its public id (another slot) and refuses a write-back after a sign-out in flight" do
          id = SecureRandom.hex(16)
          legacy = if layout == :cache_store
                     Railsess::Session::CacheEntry.dump({ "user" => "old" }, expires_in: nil,
                                                                             format: 6.1)
                   else
                     Marshal.dump("user" => "old")
                   end
          client.set("#{prefix}#{id}", legacy)
          in_flight = -> { apps.call("/sign_out", cookie: id) }
          session, = apps.call("/in_flight", cookie: id, env: { RedisStoreApps::IN_FLIGHT => in_flight })
          expect(session).to include("user" => "old")
          expect([client.exists?("#{prefix}#{id}"), client.exists?("#{prefix}#{private_id(id)}")]).to eq([false, false])
        end
      end
    end

    # WAIT answers for its own connection: redis-rb 4.8 pipelines SET + WAIT to the key's node,
    # redis-clustering sends the keyless WAIT to any primary.
    def wait_calls
      cluster.primaries.to_h do |node|
        [node.port, node.command("INFO", "commandstats")[/cmdstat_wait:calls=(\d+)/, 1].to_i]
      end
    end

    RedisStoreApps::KINDS.each do |kind|
      it "#{kind} store: WAITs on the key's primary (redis-rb 4.8) or refuses wait_for_replicas (redis-clustering)",
         *(kind == :rails ? [:active_support] : []) do
        if RedisTopology.redis_clustering?
          [{ cluster: cluster.urls }, { client: client }].each do |redis|
            expect { RedisStoreApps.new(kind, redis: redis.merge(wait_for_replicas: 1)) }
              .to raise_error(ArgumentError, /wait_for_replicas is not supported on Redis Cluster/)
          end
        else
          apps = RedisStoreApps.new(kind, redis: { cluster: cluster.urls, wait_for_replicas: 1 })
          before = wait_calls
          id = sign_in(apps)
          primary = cluster.primary_for(private_id(id)).port
          expect(wait_calls.to_h { |port, calls| [port, calls - before.fetch(port)] })
            .to eq(before.keys.to_h { |port| [port, port == primary ? 1 : 0] })
        end
      end
    end

    it "shares sessions with Rails' CacheStore over a RedisCacheStore given the cluster client", :active_support do
      rails = RedisStoreApps.rails_cache_store({ redis: client, namespace: "myapp" }, expire_after: 3600)
      rack = RedisStoreApps.new(:rack, layout: :cache_store, redis: { client: client, namespace: "myapp" },
                                       expire_after: 3600)
      id = sign_in(rails)
      expect(rack.call("/cart", cookie: id).first).to eq("user" => "ann", "cart" => [1])
      expect(rails.call("/", cookie: id).first).to eq("user" => "ann", "cart" => [1])
      expect(client.pttl("myapp:_session_id:#{private_id(id)}")).to be_between(3_590_000, 3_600_000)
    end
  end

  describe "a ConnectionPool of clients (redis: { client: ConnectionPool.new { Redis.new } })" do
    before(:all) { require "connection_pool" }

    RedisStoreApps::KINDS.product(%i[redis_session_store cache_store]).each do |kind, layout|
      it "#{kind} store, #{layout} layout: reads, writes and refuses a write-back after a sign-out in flight",
         *(kind == :rails ? [:active_support] : []) do
        pool = ConnectionPool.new(size: 2) { Redis.new(url: RedisServer.url) }
        apps = RedisStoreApps.new(kind, layout: layout, redis: { client: pool })
        id = sign_in(apps)
        expect(apps.call("/cart", cookie: id).first).to eq("user" => "ann", "cart" => [1])
        in_flight = -> { apps.call("/sign_out", cookie: id) }
        apps.call("/in_flight", cookie: id, env: { RedisStoreApps::IN_FLIGHT => in_flight })
        expect(apps.call("/", cookie: id).first).to eq({})
      end
    end
  end

  describe "Redis Cluster losing a primary", :failover do
    before(:all) { @cluster = RedisTopology::Cluster.new if RedisTopology.available? }
    after(:all) { @cluster&.stop! }

    def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

    # Waits for the cluster itself to name a live primary for `key` other than `old`, asking railsess
    # for the session all along (it must never raise). Valkey's election takes 2-3 s with a 1 s
    # node timeout; on a starved machine it can take much longer, so after 30 s the replica is told
    # to take over (CLUSTER FAILOVER TAKEOVER): what is tested is railsess, not the election.
    def wait_for_failover(key, old, replica)
      started = now
      forced = false
      loop do
        current = @cluster.primary_for(key)
        return forced if current&.alive? && !current.equal?(old)

        yield
        if !forced && now - started > 30
          replica&.command("CLUSTER", "FAILOVER", "TAKEOVER")
          forced = true
        end
        raise "the cluster did not fail over in 60 s:\n#{@cluster.nodes_view}" if now - started > 60

        sleep 0.1
      end
    end

    it "never raises while the primary fails over, and reads the replicated session after it" do
      events = []
      apps = RedisStoreApps.new(:rack, redis: { cluster: @cluster.urls },
                                       redis_down_backoff: 0.2, on_redis_down: ->(error, *) { events << error.class })
      id = sign_in(apps)
      primary = @cluster.primary_for(private_id(id))
      replica = @cluster.replica_of(primary)
      @cluster.wait_replicated(primary) # replication is asynchronous (and WAIT unavailable on a cluster)
      primary.kill!
      started = now
      forced = wait_for_failover(private_id(id), primary, replica) { apps.call("/", cookie: id) }
      failed_over = now
      # Once the cluster has a new primary, railsess follows within a few back-offs.
      session = nil
      Timeout.timeout(10) { sleep 0.1 until (session = apps.call("/", cookie: id).first) == { "user" => "ann" } }
    rescue Timeout::Error
      raise "railsess did not read the session 10 s after the failover (last: #{session.inspect}, " \
            "down events: #{events.tally}):\n#{@cluster.nodes_view}"
    else
      expect(events).not_to be_empty
      RSpec.configuration.reporter.message(
        "  cluster failover: #{(failed_over - started).round(2)} s#{' (forced after 30 s)' if forced}, " \
        "session readable again after #{(now - started).round(2)} s"
      )
    end
  end

  describe "Redis::Distributed (RedisCacheStore given url: [u1, u2, u3])", :active_support do
    before(:all) do
      @nodes = RedisTopology::Base.new
      3.times { @nodes.spawn_node }
    end
    after(:all) { @nodes&.stop! }

    let(:urls) { @nodes.nodes.map { |node| "#{node.url}/0" } }

    before { @nodes.nodes.each { |node| node.command("FLUSHALL") } }

    def keys_per_node = @nodes.nodes.map { |node| node.command("KEYS", "*").size }

    it "puts each session on the node Rails' hash ring picks, both ways" do
      rails = RedisStoreApps.rails_cache_store({ url: urls, namespace: "myapp" })
      rack = RedisStoreApps.new(:rack, layout: :cache_store, redis: { url: urls, namespace: "myapp" })
      from_rails = Array.new(12) { |i| sign_in(rails, "rails-#{i}") }
      from_rack = Array.new(12) { |i| sign_in(rack, "rack-#{i}") }
      expect(keys_per_node).to all(be_positive)
      expect(keys_per_node.sum).to eq(24)
      from_rails.each_with_index { |id, i| expect(rack.call("/", cookie: id).first).to eq("user" => "rails-#{i}") }
      from_rack.each_with_index { |id, i| expect(rails.call("/", cookie: id).first).to eq("user" => "rack-#{i}") }
    end

    it "works in the redis-session-store layout too" do
      apps = RedisStoreApps.new(:rails, redis: { url: urls, key_prefix: "myapp:session:" }, serializer: :json)
      ids = Array.new(9) { |i| sign_in(apps, "u#{i}") }
      ids.each_with_index do |id, i|
        expect(apps.call("/cart", cookie: id).first).to eq("user" => "u#{i}", "cart" => [1])
      end
      expect(keys_per_node.sum).to eq(9)
    end
  end

  describe "Sentinel: a primary, a replica, three sentinels; the primary is SIGKILLed", :failover do
    let(:events) { [] }

    def sentinel_apps(topology, wait_for_replicas)
      redis = { url: "redis://#{RedisTopology::Sentinels::NAME}", sentinels: topology.sentinel_options, role: :master,
                wait_for_replicas: wait_for_replicas, wait_timeout: 0.2 }
      RedisStoreApps.new(:rack, redis: redis, redis_down_backoff: 0.2, on_redis_down: ->(error, *) { events << error })
    end

    # { id => user } of the sessions whose write was acknowledged (a cookie came back).
    def write_sessions(apps, count)
      Array.new(count) { SecureRandom.hex(4) }.to_h { |user| [apps.call("/set", json: { "user" => user })[1], user] }
           .except(nil)
    end

    # Until the client finds the new primary, requests get an empty session and on_redis_down.
    def read_after_failover(apps, id)
      Timeout.timeout(10) do
        loop do
          reported = events.size
          session, = apps.call("/", cookie: id)
          break session if events.size == reported

          sleep 0.05
        end
      end
    end

    # Writes sessions, then more while the replica is stopped and cut off, kills the primary, lets
    # the replica come back and be promoted, and reads every session whose write was acknowledged.
    # (A healthy write can miss its WAIT on a starved machine: it is then not acknowledged, which
    # is correct, so only the partitioned writes' count is exact.)
    def failover_run(wait_for_replicas:)
      topology = RedisTopology::Sentinels.new
      apps = sentinel_apps(topology, wait_for_replicas)
      healthy = write_sessions(apps, 20)
      topology.replica.pause!
      topology.primary.command("CLIENT", "KILL", "TYPE", "replica")
      partitioned = write_sessions(apps, 10) # these reach the primary only
      topology.primary.kill!
      topology.replica.resume!
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      Timeout.timeout(30) { sleep 0.1 until topology.primary_port == topology.replica.port }
      failover = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).round(2)
      acknowledged = healthy.merge(partitioned)
      lost = acknowledged.count { |id, user| read_after_failover(apps, id) != { "user" => user } }
      { written: 30, healthy: healthy.size, partitioned: partitioned.size, lost: lost, failover: failover }
    ensure
      topology&.stop!
    end

    it "loses no acknowledged session with wait_for_replicas: 1, and shows what is lost without it" do
      with_wait = failover_run(wait_for_replicas: 1)
      without = failover_run(wait_for_replicas: 0)
      RSpec.configuration.reporter.message("  sentinel failover, wait_for_replicas: 1 -> #{with_wait}")
      RSpec.configuration.reporter.message("  sentinel failover, wait_for_replicas: 0 -> #{without}")
      expect(with_wait).to include(partitioned: 0, lost: 0)
      expect(with_wait[:healthy]).to be_positive
      expect(without).to include(healthy: 20, partitioned: 10)
      # At least the partitioned writes; a healthy one the replica had not received yet, too.
      expect(without[:lost]).to be_between(10, 30)
    end
  end
end
