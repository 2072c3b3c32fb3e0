// @generated placeholder: replaced by cargo xtask codegen
