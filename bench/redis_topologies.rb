# frozen_string_literal: true

# Redis sessions per request on one node vs a Redis Cluster (3 primaries + 3 replicas, started
# here on loopback): Rails 6.1's CacheStore over a RedisCacheStore given the client, vs
# Railsess::Session::RedisStore (layout: :cache_store) given the same client; and railsess'
# redis-session-store layout. Each line also gives the Redis commands a request sends (counted by
# the servers: INFO commandstats, summed over the nodes).
#
#   ruby -Ilib bench/redis_topologies.rb       RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/redis_topologies.rb

require_relative "session_stores"
require_relative "../spec/support/redis_topology"

module RedisTopologiesBench
  IGNORED = %w[info cluster command ping select client hello].freeze

  module_function

  def commands(nodes)
    nodes.sum do |node|
      stats = node.command("INFO", "commandstats").to_s
      stats.scan(/^cmdstat_(\w+):calls=(\d+)/).sum { |name, calls| IGNORED.include?(name) ? 0 : calls.to_i }
    end
  end

  # Redis commands per request of `mode`, averaged over 50 requests.
  def commands_per_request(nodes, app, template, mode)
    before = commands(nodes)
    50.times { SessionStoresBench.request(app, template, mode) }
    (commands(nodes) - before) / 50.0
  end

  def compare(label, nodes, apps, value)
    templates = apps.transform_values { |app| SessionStoresBench.signed_in_env(app, value) }
    %w[read read+write].each do |mode|
      counts = apps.to_h { |who, app| [who, commands_per_request(nodes, app, templates[who], mode)] }
      puts "#{label} #{mode}: Redis commands per request #{counts.map { |who, n| "#{who} #{n}" }.join(', ')}"
      RailsessBench.compare("#{label} #{mode}") do |x|
        apps.each { |who, app| x.report("#{who} #{label}") { SessionStoresBench.request(app, templates[who], mode) } }
      end
    end
  end

  def stacks(client)
    cache = ActiveSupport::Cache::RedisCacheStore.new(redis: client, namespace: "bench")
    {
      "rails" => SessionStoresBench.rails_stack(ActionDispatch::Session::CacheStore, cache: cache),
      "railsess" => SessionStoresBench.railsess_stack(Railsess::Session::RedisStore,
                                                      layout: :cache_store,
                                                      redis: { client: client, namespace: "bench" })
    }
  end

  def run
    value = RailsessBench.devise_session.except("session_id")
    single = RedisTopology::Base.new
    node = single.spawn_node
    compare("single node", [node], stacks(Redis.new(url: node.url)), value)
    gem_layout = SessionStoresBench.railsess_stack(Railsess::Session::RedisStore,
                                                   redis: { url: node.url, key_prefix: "bench:" }, serializer: :json)
    template = SessionStoresBench.signed_in_env(gem_layout, value)
    %w[read read+write].each do |mode|
      puts "single node, redis-session-store layout #{mode}: Redis commands per request railsess " \
           "#{commands_per_request([node], gem_layout, template, mode)} (the gem: EXISTS + GET, and SET)"
    end

    cluster = RedisTopology::Cluster.new
    # Primaries only: a replica counts the writes it replays.
    compare("cluster", cluster.primaries, stacks(RedisTopology.cluster_client(cluster.urls)), value)
    RailsessBench.finish("redis_topologies")
  ensure
    single&.stop!
    cluster&.stop!
  end
end

RedisTopologiesBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
