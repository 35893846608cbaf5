# frozen_string_literal: true

require "railsess/session/redis_unavailable"

module Railsess
  # Rack session middlewares (see lib/railsess/session/).
  module Session
    # Raised into `on_memcache_down` while the circuit skips Memcached after a failure.
    class MemcacheUnavailable < RedisUnavailable; end
  end
end
