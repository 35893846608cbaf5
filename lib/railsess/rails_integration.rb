# frozen_string_literal: true

require "railsess"
require "railsess/rails/encrypted_jar"
require "railsess/rails/signed_jar"
require "railsess/rails/session_cookie_store"
require "railsess/rails/encryptor_cache"
require "railsess/rails/upgraded_cookies"

# railsess (see lib/railsess.rb).
module Railsess
  # Puts ActionDispatch's own cookie jars (and so Rails' cookie session store, which reads and
  # writes through `cookies.encrypted`) on railsess: `Railsess.install!` (the Railtie calls it).
  #
  # The jars are built exactly as ActionDispatch builds them (same key generator, salts, cipher,
  # digests, `cookies_rotations`, CBC<->GCM upgrade) with Railsess::MessageEncryptor /
  # MessageVerifier in place of ActiveSupport's, so the bytes on the wire do not change; with
  # `cookies_serializer = :json` the jar's JSON goes through Railsess::JSON (the same bytes,
  # parsed natively). A cipher or digest the core does not run is handed to ActiveSupport, as
  # Railsess::MessageEncryptor always does. A cookie read through a rotation emits
  # `rotated_cookie.railsess` (payload: jar, purpose) so operators can watch a mixed deploy drain.
  # On an ActionDispatch without Rails' fix for CVE-2026-126077, UpgradedCookies backports it.
  module RailsIntegration
    EVENT = "rotated_cookie.railsess"

    @enabled = false
    @installed = false
    @cache = EncryptorCache.new
    @lock = Mutex.new

    class << self
      def install!
        return enable! if @installed

        require_action_dispatch
        @lock.synchronize do
          unless @installed
            ::ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar.prepend(EncryptedJar)
            ::ActionDispatch::Cookies::SignedKeyRotatingCookieJar.prepend(SignedJar)
            ::ActionDispatch::Session::CookieStore.prepend(SessionCookieStore)
            UpgradedCookies.install if UpgradedCookies.needed?
            @installed = true
          end
        end
        require "railsess/session/redis_store"
        Session.define_rails_redis_store
        require "railsess/session/memcache_store"
        Session.define_rails_memcache_store
        enable!
      end

      def enable!
        @enabled = true
        RackUtils.enabled = true if defined?(RackUtils) && ::Rack::Utils.singleton_class <= RackUtils
        true
      end

      # Back to ActiveSupport for every jar built from now on (and to Rack's own escaping).
      def uninstall!
        @enabled = false
        RackUtils.enabled = false if defined?(RackUtils)
      end

      def enabled? = @enabled

      # Whether ActionDispatch's :json cookies are plain ActiveSupport::JSON (before Rails 7.1).
      def plain_json_cookies?
        return @plain_json_cookies unless @plain_json_cookies.nil?

        @plain_json_cookies = ::ActionPack.gem_version < Gem::Version.new("7.1")
      end

      # The encryptors/verifiers, one per configuration: built on first use, shared by every
      # request (they are thread-safe and hold no per-request state), bounded (EncryptorCache).
      attr_reader :cache

      def fetch(key, &) = @cache.fetch(key, &)
      def clear_cache! = @cache.clear

      def instrument(jar, purpose)
        notifications = Compat.active_support_const("ActiveSupport::Notifications")
        notifications&.instrument(EVENT, jar: jar, purpose: purpose)
      end

      # The jar's on_rotation, reporting the read through a rotation first.
      def reporting(jar, purpose, on_rotation)
        lambda do
          instrument(jar, purpose)
          on_rotation&.call
        end
      end

      private

      def require_action_dispatch
        require "action_dispatch"
        require "action_dispatch/middleware/cookies"
        require "action_dispatch/middleware/session/cookie_store"
      rescue LoadError => e
        raise LoadError, "Railsess.install! puts ActionDispatch's cookie jars on railsess, but ActionDispatch " \
                         "(the actionpack gem) cannot be loaded (#{e.message}). A plain Rack app uses the " \
                         "middlewares instead: Railsess::Session::CookieStore, Railsess::Cookies."
      end
    end
  end
end
