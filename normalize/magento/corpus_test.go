package magento_test

import _ "github.com/uplinehq/upline/normalize/internal/corpus" // the -corpus flag every normalize package must know
