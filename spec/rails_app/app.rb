# frozen_string_literal: true

# A real Rails application (the loaded railties: Debian 12's 6.1, Debian 13's 7.2, or 8.0 / 8.1
# from ../shared/rails' trees on RUBYLIB; ActiveRecord on in-memory SQLite; Devise, from Debian 12
# or ../shared/rails' 5.0.3 tree) for
# spec/rails_app: its cookie session store, flash, signed/encrypted/permanent cookies and CSRF
# forms, with the railsess Railtie loaded. Runs in its own rspec process (bin/test step
# "rspec-rails-app"): one Rails application per process.
ENV["RAILS_ENV"] = "test"
ENV["DATABASE_URL"] = "sqlite3::memory:"
require "logger"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"
require "devise"
require "railsess"
require "railsess/railtie"

# The app under test.
class RailsessTestApp < Rails::Application
  # bin/test runs it with 6.1's defaults and, on Debian 13, with its Rails' own (7.1+ metadata in
  # the serializer, SHA256 key derivation): 7.2, 8.0, 8.1. A version newer than the loaded Rails
  # raises here, so a step cannot pass on another Rails than it names.
  config.load_defaults ENV.fetch("RAILSESS_LOAD_DEFAULTS", "6.1")
  config.root = __dir__
  config.eager_load = false
  config.secret_key_base = ("5ecre7" * 22)[0, 128]
  config.session_store :cookie_store, key: "_myapp_session", domain: :all
  # :json; RAILSESS_COOKIES_SERIALIZER=message_pack runs the app on Rails 7.1+'s MessagePack
  # cookies and session (the msgpack gem >= 1.7).
  config.action_dispatch.cookies_serializer = ENV.fetch("RAILSESS_COOKIES_SERIALIZER", "json").to_sym
  config.logger = Logger.new(nil)
  config.log_level = :fatal
  config.hosts.clear
  config.active_support.deprecation = :silence
  config.action_controller.allow_forgery_protection = true
  # ApplicationController declares it; the default would be added to every controller after
  # they are defined here (before initialize!) and undo their skip_forgery_protection.
  config.action_controller.default_protect_from_forgery = false
  # Errors raise in the specs: `false` up to 7.0, `:none` since 7.1 (7.2 no longer reads false).
  config.action_dispatch.show_exceptions = Rails.gem_version >= Gem::Version.new("7.1") ? :none : false
end

Devise.setup do |config|
  config.secret_key = "d" * 128
  config.mailer_sender = "demo@myapp.test"
  config.stretches = 1
  require "devise/orm/active_record"
end

# Devise's user.
class User < ActiveRecord::Base
  devise :database_authenticatable, :rememberable
end

# Devise's controllers inherit from it.
class ApplicationController < ActionController::Base
  protect_from_forgery with: :exception
end

# What the specs drive: session, flash, cookies, CSRF-protected actions, Devise's current_user.
class PagesController < ApplicationController
  skip_forgery_protection only: %i[write_session write_cookie]

  def show_session = render(json: session.to_hash)

  def write_session
    JSON.parse(request.body.read).each { |k, v| session[k] = v }
    render json: session.to_hash
  end

  def reset = (reset_session || true) && render(json: session.to_hash)

  def set_flash
    flash[params[:key]] = params[:value]
    render json: {}
  end

  def show_flash = render(json: flash.to_hash)

  def read_cookie
    jar = cookie_jar(params[:jar])
    render json: { value: jar[params[:name]] }
  end

  def write_cookie
    body = JSON.parse(request.body.read)
    options = { value: body["value"] }
    options[:expires] = body["expires_in"].seconds if body["expires_in"]
    jar = body["permanent"] ? cookies.permanent : cookies
    jar = jar.public_send(params[:jar]) unless params[:jar] == "plain"
    jar[params[:name]] = options
    render json: {}
  end

  def form = render(json: { token: form_authenticity_token })
  def protected_action = render(plain: "ok")
  def who = render(json: { email: current_user&.email })

  private

  def cookie_jar(name) = name == "plain" ? cookies : cookies.public_send(name)
end

RailsessTestApp.initialize!

ActiveRecord::Schema.verbose = false
ActiveRecord::Schema.define do
  create_table :users do |t|
    t.string :email, null: false, default: ""
    t.string :encrypted_password, null: false, default: ""
    t.datetime :remember_created_at
  end
end
