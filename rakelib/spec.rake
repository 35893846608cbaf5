# frozen_string_literal: true

desc "Ruby specs against the compiled extension"
task spec: :compile do
  sh "rspec"
end
