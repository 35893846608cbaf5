# frozen_string_literal: true

Rails.application.routes.draw do
  devise_for :users
  get "/hello_api", to: "pages#hello_api"
  root to: "pages#home"
end
