# frozen_string_literal: true

require "railsess/session/memcache_backend"
require "railsess/rails/redis_store"

module Railsess
  # Rack session middlewares; these define the Rails session stores on the same backends.
  module Session
    # `config.session_store :railsess_memcache_store, ...` in a Rails app (see
    # define_rails_redis_store).
    def self.define_rails_memcache_store
      return unless defined?(::ActionDispatch::Session::AbstractSecureStore)
      return if ::ActionDispatch::Session.const_defined?(:RailsessMemcacheStore, false)

      define_rails_redis_store
      store = Class.new(::ActionDispatch::Session::RailsessRedisStore) { include MemcacheBackend }
      ::ActionDispatch::Session.const_set(:RailsessMemcacheStore, store)
    end
    define_rails_memcache_store
  end
end
