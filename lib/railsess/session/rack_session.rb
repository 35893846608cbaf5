# frozen_string_literal: true

require "rack"
# Rack 2.2 ships Rack::Session; Rack 3 moved it to the rack-session gem (same constants and
# require paths). Only APIs present in both are used: Abstract::PersistedSecure's
# find_session/write_session/delete_session/commit_session, SessionId, Response::Raw#set_cookie.
require "rack/session/abstract/id"
require "rack/response"

module Railsess
  module Session
    RackSession = ::Rack::Session
  end
end
