# frozen_string_literal: true

require "railsess/error"

module Railsess
  # Rack session middlewares (see lib/railsess/session/).
  module Session
    # Raised into `on_redis_down` while RedisCircuit skips Redis after a failure: the request got
    # an empty session without a Redis command.
    class RedisUnavailable < Railsess::Error; end
  end
end
