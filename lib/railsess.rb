# frozen_string_literal: true

# railsess: Rails' message crypto (KeyGenerator, MessageEncryptor, MessageVerifier), byte for byte,
# with a Rust core. See README.md.
require "railsess/version"
require "railsess/native"
require "railsess/compat"
require "railsess/error_bridge"
require "railsess/serializers"
require "railsess/key_generator"
require "railsess/message_verifier"
require "railsess/message_encryptor"

# The Rack layer (needs rack), loaded on first use.
module Railsess
  autoload :Presets, "railsess/presets"
  autoload :CookieConfig, "railsess/cookie_config"
  autoload :CookieCodec, "railsess/cookie_codec"
  autoload :CookieOverflow, "railsess/cookie_codec"
  autoload :CookieDomain, "railsess/cookie_domain"
  autoload :CookieJar, "railsess/cookie_jar"
  autoload :Cookies, "railsess/cookie_jar"
  autoload :Flash, "railsess/flash"
  autoload :Warden, "railsess/warden"
  autoload :CSRF, "railsess/csrf"
  autoload :RackUtils, "railsess/rack_utils"

  # Rack session middlewares.
  module Session
    autoload :CookieStore, "railsess/session/cookie_store"
    autoload :RedisStore, "railsess/session/redis_store"
    autoload :MemcacheStore, "railsess/session/memcache_store"
    autoload :CacheEntry, "railsess/session/cache_entry"
  end

  class << self
    # Puts a Rails app's cookie jars (ActionDispatch's, built from now on) and cookie session
    # store on railsess: the Railtie calls it; outside one, `Railsess.install!` after
    # `require "railsess"` (ActionDispatch is loaded then if it is not yet). See
    # RailsIntegration (loaded here, not by `require "railsess"`, so a plain Rack app never loads it).
    def install!
      require "railsess/rails/cookie_jars"
      RailsIntegration.install!
    end

    # Back to ActiveSupport for every jar built from now on (and to Rack's own cookie escaping).
    def uninstall!
      require "railsess/rails/cookie_jars"
      RailsIntegration.uninstall!
    end
  end
end

# In a Rails app (Bundler requires "railsess" after Rails): the Railtie.
require "railsess/railtie" if defined?(Rails::Railtie)
