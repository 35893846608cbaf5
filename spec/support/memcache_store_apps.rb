# frozen_string_literal: true

require_relative "redis_store_apps"

# RedisStoreApps for railsess' Memcached stores (Railsess::Session::MemcacheStore, and
# ActionDispatch::Session::RailsessMemcacheStore in ActionDispatch's cookie middleware), and for
# Rails' own CacheStore over ActiveSupport::Cache::MemCacheStore.
#
#   apps = MemcacheStoreApps.new(:rack, layout: :mem_cache_store, memcache: { servers: MemcachedServer.address })
class MemcacheStoreApps < RedisStoreApps
  def self.rails_cache_store(**options)
    RailsStack.load!
    require "active_support/cache/mem_cache_store"
    require "action_dispatch/middleware/session/cache_store"
    cache = ActiveSupport::Cache::MemCacheStore.new(MemcachedServer.address, namespace: "myapp")
    new(:rails_cache_store, cache: cache, **options)
  end

  def self.store_class(kind)
    case kind
    when :rack
      require "railsess/session/memcache_store"
      Railsess::Session::MemcacheStore
    when :rails
      RailsStack.load!
      require "railsess/session/memcache_store"
      Railsess::Session.define_rails_memcache_store
      ActionDispatch::Session::RailsessMemcacheStore
    else super
    end
  end
end
