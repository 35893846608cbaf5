# frozen_string_literal: true

require "railsess/session/redis_backend"

module Railsess
  # Rack session middlewares; these define the Rails session stores on the same backends.
  module Session
    # `config.session_store :railsess_redis_store, ...` in a Rails app: the same Redis layouts as an
    # ActionDispatch::Session::AbstractSecureStore (Rails' session object and cookie jar).
    def self.define_rails_redis_store
      return unless defined?(::ActionDispatch::Session::AbstractSecureStore)
      return if ::ActionDispatch::Session.const_defined?(:RailsessRedisStore, false)

      store = Class.new(::ActionDispatch::Session::AbstractSecureStore) do
        include RedisBackend

        # Rails' CVE-2026-126067 fix, on every Rails version: the session cookie gets the app's
        # SameSite policy (Rack passes `same_site: nil` otherwise, which 7.1+'s jar keeps).
        same_site = lambda do |request, _response = nil|
          policy = request.cookies_same_site_protection
          policy.respond_to?(:call) ? policy.call(request) : policy
        end

        define_method(:initialize) do |app, options = {}|
          options = setup_redis(options.transform_keys(&:to_sym))
          options[:same_site] = same_site unless options.key?(:same_site)
          super(app, options)
        end
      end
      ::ActionDispatch::Session.const_set(:RailsessRedisStore, store)
    end
    define_rails_redis_store
  end
end
