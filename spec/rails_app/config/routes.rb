# frozen_string_literal: true

# Loaded by RailsessTestApp.initialize! (so Devise sets up Warden and its URL helpers for :users).
Rails.application.routes.draw do
  devise_for :users
  # (named test_*: Devise's own session_path helper must not resolve to these)
  get "/session", to: "pages#show_session", as: :test_session
  post "/session", to: "pages#write_session", as: :test_write_session
  post "/reset", to: "pages#reset"
  get "/flash/set", to: "pages#set_flash"
  get "/flash", to: "pages#show_flash"
  get "/cookies/:jar/:name", to: "pages#read_cookie", format: false
  post "/cookies/:jar/:name", to: "pages#write_cookie", format: false
  get "/form", to: "pages#form"
  post "/protected", to: "pages#protected_action"
  get "/who", to: "pages#who"
  root to: "pages#who"
end
