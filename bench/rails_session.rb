# frozen_string_literal: true

# A minimal Rails app (the full default middleware stack, cookie session store, JSON cookies,
# `load_defaults` of the loaded Rails: 6.1 on the host's Debian 12, 7.2 on Debian 13, 8.1 with
# RUBYLIB pointing at ../shared/rails' 8.1 tree; RAILSESS_BENCH_LOAD_DEFAULTS overrides) with the
# railsess Railtie switched on and off:
#
# * "with session": the endpoint reads the (Devise-like, ~300 B) session and writes one key;
# * "without session": the same endpoint (same query parameter read), session untouched.
#
# Whole requests are compared side by side with benchmark-ips. The session's cost per request
# (with minus without) is a small difference of two large numbers, which separate benchmark-ips
# runs on a shared machine blur by more than the difference itself; it is measured by interleaving
# instead: every round times one request of each of the four variants (with/without session,
# railsess on/off) in a random order, so drifts in machine speed hit all four alike, and the cost
# is mean(with) - mean(without) over the rounds (RAILSESS_BENCH_SESSION_ROUNDS, default 8000,
# after 1000 rounds of warmup), for Rails alone and with railsess, and their ratio.
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
  config.load_defaults ENV.fetch("RAILSESS_BENCH_LOAD_DEFAULTS", Rails::VERSION::STRING[/\A\d+\.\d+/])
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
    cookie = (headers["set-cookie"] || headers["Set-Cookie"])[/\A[^;]+/]
    templates = { "with" => env_for("/with?n=1", cookie), "without" => env_for("/without?n=1", cookie) }
    templates.each do |name, template|
      RailsessBench.compare("rails request #{name} session") do |x|
        x.report("rails #{name} session") { toggled(false) { call(template) } }
        x.report("railsess #{name} session") { toggled(true) { call(template) } }
      end
    end
    report_session_cost(interleaved(templates))
    RailsessBench.finish("rails_session", "session_cost" => @cost)
  end

  SESSION_ROUNDS = RailsessBench::SMOKE ? 50 : Integer(ENV.fetch("RAILSESS_BENCH_SESSION_ROUNDS", "8000"))
  SESSION_WARMUP = RailsessBench::SMOKE ? 10 : 1000

  # Mean seconds per request of each variant ([railsess on?, "with" | "without"]), interleaved.
  def interleaved(templates, random: Random.new(1))
    variants = [true, false].product(templates.keys)
    times = Hash.new(0.0)
    (SESSION_WARMUP + SESSION_ROUNDS).times do |round|
      variants.shuffle(random: random).each do |variant|
        on, name = variant
        toggled(on) do
          t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
          call(templates.fetch(name))
          times[variant] += Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0 if round >= SESSION_WARMUP
        end
      end
    end
    times.transform_values { |total| total / SESSION_ROUNDS }
  end

  def report_session_cost(means)
    us = ->(on, name) { means.fetch([on, name]) * 1e6 }
    rails_us = us.call(false, "with") - us.call(false, "without")
    ours_us = us.call(true, "with") - us.call(true, "without")
    whole = us.call(false, "with") / us.call(true, "with")
    @cost = { "rails_us" => rails_us, "railsess_us" => ours_us, "ratio" => rails_us / ours_us,
              "rounds" => SESSION_ROUNDS, "request_ratio" => whole,
              "requests_us" => means.to_h { |(on, name), t| ["#{on ? 'railsess' : 'rails'} #{name}", t * 1e6] } }
    puts format("session cost per request (interleaved, %<n>d rounds): Rails %<r>.1f us, with railsess " \
                "%<o>.1f us: %<x>.2fx smaller; whole request with the session %<w>.2fx faster",
                n: SESSION_ROUNDS, r: rails_us, o: ours_us, x: rails_us / ours_us, w: whole)
  end
end

RailsSessionBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
