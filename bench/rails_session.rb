# frozen_string_literal: true

# A minimal Rails 6.1 app (Debian's railties; the full default middleware stack, cookie session
# store, load_defaults 6.1, JSON cookies) with the railsess Railtie switched on and off:
#
# * "with session": the endpoint reads the (Devise-like, ~300 B) session and writes one key;
# * "without session": the same endpoint (same query parameter read), session untouched.
#
# The session's cost per request is 1/ips(with) - 1/ips(without), printed for Rails alone and with
# railsess, and their ratio.
#
#   ruby -Ilib bench/rails_session.rb          RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/rails_session.rb

require_relative "support"
ENV["RAILS_ENV"] ||= "production"
require "logger"
require "rails"
require "action_controller/railtie"
require "railsess/railtie"
require "rack/mock"

# The benchmarked app.
class RailsessBenchApp < Rails::Application
  config.load_defaults 6.1
  config.root = __dir__
  config.eager_load = false
  # As in production: no code reloading (its per-request file checks would dominate).
  config.cache_classes = true
  config.consider_all_requests_local = false
  config.public_file_server.enabled = false
  config.secret_key_base = RailsessBench::SECRET_KEY_BASE
  config.session_store :cookie_store, key: "_myapp_session"
  config.action_dispatch.cookies_serializer = :json
  config.logger = Logger.new(nil)
  config.log_level = :fatal
  config.hosts.clear
  config.active_support.deprecation = :silence
end
RailsessBenchApp.initialize!

# The endpoint.
class BenchController < ActionController::Base
  def with_session
    session["warden.user.user.key"]
    session["last_request_at"] = params[:n]
    head :ok
  end

  def sign_in
    RailsessBench.devise_session.except("session_id").each { |k, v| session[k] = v }
    head :ok
  end

  # The same work minus the session (the query parameter is parsed and read in both).
  def without_session
    params[:n]
    head :ok
  end
end

RailsessBenchApp.routes.draw do
  get "/with", to: "bench#with_session"
  get "/without", to: "bench#without_session"
  get "/sign_in", to: "bench#sign_in"
end

module RailsSessionBench
  module_function

  def app = Rails.application

  def env_for(path, cookie)
    Rack::MockRequest.env_for("http://www.myapp.test#{path}", "HTTP_COOKIE" => cookie)
  end

  def call(template)
    status, = app.call(template.dup.merge!("rack.input" => StringIO.new))
    raise "bench: #{status}" unless status == 200
  end

  def toggled(on)
    on ? Railsess.install! : Railsess.uninstall!
    yield
  ensure
    Railsess.install!
  end

  def run
    _status, headers, = app.call(env_for("/sign_in", ""))
    cookie = headers["Set-Cookie"][/\A[^;]+/]
    with = env_for("/with?n=1", cookie)
    without = env_for("/without?n=1", cookie)
    results = %w[with without].to_h do |name|
      template = name == "with" ? with : without
      result = RailsessBench.compare("rails request #{name} session") do |x|
        x.report("rails #{name} session") { toggled(false) { call(template) } }
        x.report("railsess #{name} session") { toggled(true) { call(template) } }
      end
      [name, result]
    end
    report_session_cost(results)
    RailsessBench.finish("rails_session", "session_cost" => @cost)
  end

  def report_session_cost(results)
    cost = lambda do |who|
      (1.0 / results["with"]["#{who}_ips"]) - (1.0 / results["without"]["#{who}_ips"])
    end
    rails_us = cost.call("baseline") * 1e6
    ours_us = cost.call("railsess") * 1e6
    @cost = { "rails_us" => rails_us, "railsess_us" => ours_us, "ratio" => rails_us / ours_us }
    puts format("session cost per request: Rails %<r>.1f us, with railsess %<o>.1f us: %<x>.2fx smaller",
                r: rails_us, o: ours_us, x: rails_us / ours_us)
  end
end

RailsSessionBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
