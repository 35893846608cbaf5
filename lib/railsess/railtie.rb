# frozen_string_literal: true

require "rails/railtie"
require "railsess/rails_integration"
require "railsess/rack_utils"

module Railsess
  # `gem "railsess"` in a Rails app: its cookie jars and cookie session store run on railsess
  # (Railsess::RailsIntegration), with the app's own settings; `config.railsess.enabled = false`
  # leaves everything to ActiveSupport. `config.session_store :railsess_redis_store, ...` is
  # available too, and Rack's cookie escaping runs natively (Railsess::RackUtils;
  # `config.railsess.native_rack_escaping = false` keeps Rack's).
  class Railtie < ::Rails::Railtie
    config.railsess = ActiveSupport::OrderedOptions.new
    config.railsess.enabled = true
    # Rack::Utils.escape/unescape (every cookie's) in the core: same bytes, several times faster.
    config.railsess.native_rack_escaping = true

    initializer "railsess.install", before: :build_middleware_stack do |app|
      if app.config.railsess.enabled
        Railsess.install!
        Railsess.use_native_rack_escaping! if app.config.railsess.native_rack_escaping
      else
        Railsess.uninstall!
      end
    end
  end
end
