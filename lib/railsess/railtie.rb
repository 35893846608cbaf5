# frozen_string_literal: true

require "rails/railtie"
require "railsess/rails/cookie_jars"

module Railsess
  # `gem "railsess"` in a Rails app: its cookie jars and cookie session store run on railsess
  # (Railsess::RailsIntegration), with the app's own settings; `config.railsess.enabled = false`
  # leaves everything to ActiveSupport. `config.session_store :railsess_redis_store, ...` is
  # available too.
  class Railtie < ::Rails::Railtie
    config.railsess = ActiveSupport::OrderedOptions.new
    config.railsess.enabled = true

    initializer "railsess.install", before: :build_middleware_stack do |app|
      if app.config.railsess.enabled
        Railsess.install!
      else
        Railsess.uninstall!
      end
    end
  end
end
