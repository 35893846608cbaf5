# frozen_string_literal: true

require "railsess/session/redis_store"
require "railsess/session/memcache_backend"

module Railsess
  # Rack session middlewares (and, with ActionDispatch loaded, Rails session stores).
  module Session
    # Server-side sessions in Memcached, shared with Rails apps that keep theirs there:
    #
    #   use Railsess::Session::MemcacheStore, key: "_myapp_session", domain: :all, preset: "6.1",
    #       memcache: { servers: "127.0.0.1:11211", namespace: "myapp", expire_after: 86_400 }
    #
    # `layout: :cache_store` (default) speaks Rails' ActionDispatch::Session::CacheStore over
    # ActiveSupport::Cache::MemCacheStore (`cache_format_version: 6.1 | 7.0 | 7.1`),
    # `layout: :mem_cache_store` Rails' ActionDispatch::Session::MemCacheStore (Dalli's
    # Rack::Session::Dalli: `namespace` "rack:session" unless given; public-id keys with Dalli
    # 3.0, private-id keys from 3.1: `dalli_version:`, the loaded Dalli by default); see
    # MemcacheLayouts. `memcache:` takes `servers:` and Dalli::Client options, or a ready
    # `client:` (DalliAdapter.client, or a ConnectionPool of them). Memcached down or hung: as
    # RedisStore, with `on_memcache_down.call(error, env, sid)` and `memcache_down_backoff:`.
    # Everything else (cookie options, `preset:`, `secret_key_base:`, `on_session_load_error`)
    # as RedisStore.
    class MemcacheStore < RedisStore
      include MemcacheBackend
    end
  end
end

# With ActionDispatch loaded: its session store on the same backend.
require "railsess/rails/memcache_store"
