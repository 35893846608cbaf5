# frozen_string_literal: true

# The demo's "www" app: Rails 6.1 (Debian 12's railties) or, with `bin/demo --rails 8.1`, Rails 8.1
# (from ../shared/rails, on Debian 13), each with its own load_defaults, with Devise on SQLite, the
# cookie session store on `domain: :all` (or, with DEMO_REDIS_URL, Rails' CacheStore over
# RedisCacheStore), CSRF protection on, and the railsess Railtie. It owns the login; demo/api is
# the Rack app that shares it.
ENV["RAILS_ENV"] ||= "production"
DEMO_DB = ENV.fetch("DEMO_DB", File.expand_path("../../tmp/demo.sqlite3", __dir__))
ENV["DATABASE_URL"] = "sqlite3:#{DEMO_DB}"
require "fileutils"
require "logger"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"
require "devise"
require "railsess"
require "railsess/railtie"
require_relative "../shared"

unless Rails.version.start_with?("#{DemoShared::RAILS}.")
  raise "demo/www: Rails #{Rails.version} is loaded, DEMO_RAILS asks for #{DemoShared::RAILS} (see bin/demo --help)"
end

# The Rails app.
class DemoWww < Rails::Application
  # 6.1: SHA1 key derivation, purpose/expiry in the message envelope; 8.1: SHA256, metadata in
  # the serializer (7.1+) and cache_format_version 7.1. JSON cookies on both (set below for 6.1's
  # sake; 7.0+ defaults to them).
  config.load_defaults DemoShared::RAILS
  config.root = __dir__
  config.eager_load = false
  config.cache_classes = true
  config.consider_all_requests_local = true
  config.public_file_server.enabled = false
  config.secret_key_base = DemoShared::SECRET_KEY_BASE
  config.action_dispatch.cookies_serializer = :json
  config.action_controller.default_protect_from_forgery = false # declared below
  config.hosts << ".myapp.test" << "localhost" << "127.0.0.1"
  config.logger = Logger.new($stdout, level: Logger::WARN)
  config.log_level = :warn
  config.active_support.deprecation = :silence
  if (redis_url = ENV.fetch("DEMO_REDIS_URL", nil))
    config.cache_store = :redis_cache_store, { url: redis_url, namespace: "myapp" }
    config.session_store :cache_store, key: DemoShared::COOKIE, domain: :all, expire_after: 86_400
  else
    config.session_store :cookie_store, key: DemoShared::COOKIE, domain: :all
  end
end

Devise.setup do |config|
  config.secret_key = DemoShared::SECRET_KEY_BASE.reverse
  config.mailer_sender = "demo@myapp.test"
  require "devise/orm/active_record"
end

# Devise's user.
class User < ActiveRecord::Base
  devise :database_authenticatable, :rememberable, :validatable
end

# Devise's controllers inherit from it.
class ApplicationController < ActionController::Base
  protect_from_forgery with: :exception
end

# The home page, and a hop to the api with a flash message set by Rails.
class PagesController < ApplicationController
  def home
    render html: DemoShared.page(
      app: "www (Rails #{Rails.version})", user: current_user&.email, flash: flash.to_hash,
      body: home_body
    ).html_safe
  end

  def hello_api
    flash[:notice] = "Hello from Rails (set on www, shown on api)"
    redirect_to DemoShared.url(:api, request), allow_other_host: true
  end

  private

  def home_body
    links = if current_user
              %(<p><a id="to-api" href="#{DemoShared.url(:api, request)}">Go to the api app</a> ·
                <a id="hello-api" href="/hello_api">Send a flash to the api</a> ·
                <form method="post" action="/users/sign_out" style="display:inline">
                <input type="hidden" name="_method" value="delete">
                <input type="hidden" name="authenticity_token" value="#{ERB::Util.h(form_authenticity_token)}">
                <button id="sign-out">Sign out (on www)</button></form></p>)
            else
              %(<p><a id="sign-in" href="/users/sign_in">Sign in</a> (demo@myapp.test / railsess-demo)</p>)
            end
    %(#{links}<p>Rails' CSRF token for this page:
      <code id="rails-token">#{ERB::Util.h(form_authenticity_token)}</code></p>)
  end
end

DemoWww.initialize!

FileUtils.mkdir_p(File.dirname(DEMO_DB))
ActiveRecord::Schema.verbose = false
unless ActiveRecord::Base.connection_pool.with_connection { |db| db.table_exists?(:users) }
  ActiveRecord::Schema.define do
    create_table :users do |t|
      t.string :email, null: false, default: ""
      t.string :encrypted_password, null: false, default: ""
      t.datetime :remember_created_at
      t.index :email, unique: true
    end
  end
end
User.find_or_create_by!(email: DemoShared::EMAIL) { |u| u.password = DemoShared::PASSWORD }
